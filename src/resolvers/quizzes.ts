import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Max, Min } from "class-validator";
import { Allow } from "../auth/authChecker";
import type { AppContext } from "../context";
import { topics, type DomainEvent, type EventCatalogue, type LeaderboardSnapshot } from "../events/catalogue";
import { visibleQuestions, type QuizView } from "../domain/quizzes/service";
import { Course, toCourse } from "../schema/course";
import {
  AnswerResult,
  CourseQuizzesArgs,
  CreateQuizInput,
  Leaderboard,
  Question,
  Quiz,
  QuizConnection,
  QuizFilterInput,
  QuizResult,
  toAnswerResult,
  toLeaderboard,
  toQuestion,
  toQuiz,
  toQuizResult,
} from "../schema/quiz";
import { ConnectionArgs, MAX_PAGE_SIZE, toConnection } from "../schema/relay";
import { encodeCursor, type Page } from "../platform/pagination";
import { courseRelations } from "./courses";
import { liveFeed } from "./live";
import { isSharedExecution, sharedPayload } from "../events/sharing";

@ArgsType()
class LeaderboardArgs {
  @Field(() => ID, { description: "The quiz whose leaderboard to read" })
  quizId: string;

  @Field(() => Int, { defaultValue: 10, description: `How many places, 1 to ${MAX_PAGE_SIZE}` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = 10;
}

@Resolver(() => Quiz)
export class QuizzesResolver {
  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Quiz, { description: "A quiz for a course (its staff or an ADMIN)" })
  async createQuiz(@Arg("input", () => CreateQuizInput, { description: "The quiz" }) input: CreateQuizInput, @Ctx() ctx: AppContext): Promise<Quiz> {
    return toQuiz(await ctx.services.quizzes.create(ctx.user!, input));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Question, { description: "LIVE: opens the next question for every player (the host)" })
  async startQuestion(@Arg("quizId", () => ID, { description: "The LIVE quiz you host" }) quizId: string, @Ctx() ctx: AppContext): Promise<Question> {
    return toQuestion(await ctx.services.quizzes.startQuestion(ctx.user!, quizId));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Quiz, { description: "Ends the quiz; its final leaderboard is stored. Closing again changes nothing" })
  async closeQuiz(@Arg("quizId", () => ID, { description: "The quiz you host" }) quizId: string, @Ctx() ctx: AppContext): Promise<Quiz> {
    return toQuiz(await ctx.services.quizzes.close(ctx.user!, quizId));
  }

  @Allow("STUDENT")
  @Mutation(() => QuizResult, { description: "Join from availableFrom on (students enrolled in the course); joining again answers your standing" })
  async joinQuiz(@Arg("quizId", () => ID, { description: "The quiz to join" }) quizId: string, @Ctx() ctx: AppContext): Promise<QuizResult> {
    return toQuizResult(await ctx.services.quizzes.join(ctx.user!, quizId));
  }

  @Allow("STUDENT")
  @Mutation(() => AnswerResult, { description: "Once per question; a second try gets ALREADY_ANSWERED" })
  async answer(
    @Arg("quizId", () => ID, { description: "The quiz you joined" }) quizId: string,
    @Arg("questionId", () => ID, { description: "The question (Question.id)" }) questionId: string,
    @Arg("choice", () => Int, { description: "0-based option index" }) choice: number,
    @Ctx() ctx: AppContext,
  ): Promise<AnswerResult> {
    return toAnswerResult(await ctx.services.quizzes.answer(ctx.user!, quizId, questionId, choice));
  }

  @Allow()
  @Query(() => Quiz, { description: "Course staff and enrolled students" })
  async quiz(@Arg("id", () => ID, { description: "The quiz id" }) id: string, @Ctx() ctx: AppContext): Promise<Quiz> {
    return toQuiz(await ctx.services.quizzes.get(ctx.user!, id));
  }

  @Allow()
  @Query(() => QuizConnection, {
    description: "Quizzes you may see, oldest first: of the courses you staff, of the courses you hold a seat in (students), every quiz (ADMIN)",
  })
  async quizzes(
    @Arg("filter", () => QuizFilterInput, { nullable: true, description: "Which quizzes (default: all you may see)" }) filter: QuizFilterInput | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AppContext,
  ) {
    return quizConnection(await ctx.services.quizzes.list(ctx.user!, filter ?? {}, first, after), after);
  }

  @Allow()
  @Query(() => Leaderboard, { description: "The top `first` players now" })
  async leaderboard(@Args(() => LeaderboardArgs) { quizId, first }: LeaderboardArgs, @Ctx() ctx: AppContext): Promise<Leaderboard> {
    return toLeaderboard(await ctx.services.quizzes.leaderboard(ctx.user!, quizId, first));
  }

  @Allow("STUDENT")
  @Query(() => QuizResult, { description: "Your score, rank and answers (NOT_JOINED if you have not joined)" })
  async myQuizResult(@Arg("quizId", () => ID, { description: "The quiz you joined" }) quizId: string, @Ctx() ctx: AppContext): Promise<QuizResult> {
    return toQuizResult(await ctx.services.quizzes.result(ctx.user!, quizId));
  }

  @Allow()
  @Subscription(() => Leaderboard, {
    description: `The top \`first\` now, then at most one push per LEADERBOARD_THROTTLE_MS while it changes (the last change always arrives); closed: true at the end`,
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      const quizId = String(args.quizId);
      // Subscription arguments skip type-graphql's validation; `first` was bounded (1..100) with the
      // document's cost, before execution (platform/graphqlLimits.ts).
      const first = Number(args.first);
      const right = await ctx.services.access.grant(ctx.user!, { check: (viewer) => ctx.services.quizzes.assertCanView(viewer, quizId) });
      let shown = -1;
      // Events published before the snapshot was read can arrive after it: never go back in time
      // (the closing snapshot counts as newer than an open one of the same version).
      const newer = (s: LeaderboardSnapshot) => {
        const order = s.version * 2 + (s.closed ? 1 : 0);
        if (order <= shown) return [];
        shown = order;
        // Every subscriber of this top-`first` gets the same board of this change: executed once.
        return [sharedPayload(s, `leaderboard:${quizId}:${s.version}:${s.closed}:${s.asOf}:${first}`, () => toLeaderboard(s, first))];
      };
      return liveFeed(
        ctx.services.events.subscribe(topics.quizLeaderboard(quizId)),
        (e: DomainEvent) => {
          if (e.name === "LeaderboardUpdated") return newer(e.payload as LeaderboardSnapshot);
          if (e.name === "QuizClosed") return newer((e.payload as EventCatalogue["QuizClosed"]).standings);
          return [];
        },
        async () => newer(await ctx.services.quizzes.standings(quizId, first))[0] ?? null,
        right,
      );
    },
  })
  leaderboardChanged(
    @Arg("quizId", () => ID, { description: "The quiz whose leaderboard to follow" }) _quizId: string,
    @Arg("first", () => Int, { defaultValue: 10, description: "How many places, 1 to 100" }) _first: number,
    @Root() board: Leaderboard,
  ): Leaderboard {
    return board;
  }

  @Allow()
  @Subscription(() => Question, {
    description: "LIVE: each question as the host starts it (never its correct option); the open one first, if any",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      const quizId = String(args.quizId);
      const right = await ctx.services.access.grant(ctx.user!, { check: (viewer) => ctx.services.quizzes.assertCanView(viewer, quizId) });
      return liveFeed(
        ctx.services.events.subscribe(topics.quizQuestions(quizId)),
        (e: DomainEvent) => (e.name === "QuestionStarted" ? [announced(e.payload as EventCatalogue["QuestionStarted"])] : []),
        async () => {
          const view = await ctx.services.quizzes.get(ctx.user!, quizId);
          if (view.quiz.mode !== "LIVE") return null;
          // As players see it, whoever subscribes: this feed never carries the correct option.
          const open = visibleQuestions({ ...view, host: false }).find((q) => q.index === view.state.current && !q.closed);
          return open ? toQuestion(open) : null;
        },
        right,
      );
    },
  })
  questionStarted(@Arg("quizId", () => ID, { description: "The LIVE quiz to follow" }) _quizId: string, @Root() question: Question): Question {
    return question;
  }

  @FieldResolver(() => Course, { description: "The course it belongs to" })
  async course(@Root() quiz: Quiz, @Ctx() ctx: AppContext): Promise<Course> {
    return toCourse(await ctx.services.courses.get(quiz.courseId), courseRelations(ctx));
  }
}

@Resolver(() => Course)
export class CourseQuizzesResolver {
  @FieldResolver(() => QuizConnection, {
    description: "The course's quizzes, oldest first: seen by its staff, its students holding a seat and ADMINs; empty for anyone else and in live feeds",
  })
  async quizzes(@Root() course: Course, @Args(() => CourseQuizzesArgs) { status, mode, first, after }: CourseQuizzesArgs, @Ctx() ctx: AppContext) {
    // A result shared by many viewers is nobody's: it shows no quizzes.
    if (isSharedExecution(ctx) || !ctx.user) return quizConnection({ items: [], hasNextPage: false }, after);
    return quizConnection(await ctx.services.quizzes.list(ctx.user, { courseId: course.id, status, mode }, first, after, { quiet: true }), after);
  }
}

const quizConnection = (page: Page<QuizView>, after: string | null | undefined) => toConnection(page, after, (v) => encodeCursor(v.quiz._id), toQuiz);

function announced(p: EventCatalogue["QuestionStarted"]): Question {
  return {
    id: p.questionId,
    number: p.index + 1,
    text: p.text,
    options: p.options,
    correctOption: null,
    points: p.points,
    timeLimitSeconds: p.timeLimitSeconds,
    closed: false,
    startedAt: new Date(p.startedAt),
    closesAt: new Date(p.closesAt),
  };
}
