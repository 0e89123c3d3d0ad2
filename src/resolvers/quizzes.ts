// The quiz root fields (create, host, join, answer, read, the live leaderboard and questions) and
// Course.quizzes: each carries its roles and calls the quizzes service, which decides who may host,
// play or see a quiz. A live question never carries its correct option.
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Max, Min } from "class-validator";
import { Allow } from "../auth/authChecker";
import type { AppContext } from "../context";
import type { LeaderboardSnapshot } from "../events/catalogue";
import { leaderboardFeed, questionFeed, type LiveQuestion } from "../domain/quizzes/feeds";
import type { QuizView } from "../domain/quizzes/views";
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
import { isSharedExecution } from "../events/sharing";

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
      // document's cost, before execution (server/graphqlLimits.ts).
      const first = Number(args.first);
      return leaderboardFeed(ctx.services, await watchQuiz(ctx, quizId), quizId, first);
    },
  })
  leaderboardChanged(
    @Arg("quizId", () => ID, { description: "The quiz whose leaderboard to follow" }) _quizId: string,
    @Arg("first", () => Int, { defaultValue: 10, description: "How many places, 1 to 100" }) _first: number,
    @Root() board: LeaderboardSnapshot,
  ): Leaderboard {
    return toLeaderboard(board);
  }

  @Allow()
  @Subscription(() => Question, {
    description: "LIVE: each question as the host starts it (never its correct option); the open one first, if any",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      const quizId = String(args.quizId);
      return questionFeed(ctx.services, await watchQuiz(ctx, quizId), ctx.user!, quizId);
    },
  })
  questionStarted(@Arg("quizId", () => ID, { description: "The LIVE quiz to follow" }) _quizId: string, @Root() question: LiveQuestion): Question {
    return toLiveQuestion(question);
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

/** Who may follow a quiz live (its course's staff and enrolled students), for as long as they may. */
function watchQuiz(ctx: AppContext, quizId: string) {
  return ctx.services.access.grant(ctx.user!, { check: (viewer) => ctx.services.quizzes.assertCanView(viewer, quizId) });
}

/** A question as it opens, for players: its correct option is never shown here. */
function toLiveQuestion(q: LiveQuestion): Question {
  return {
    id: q.questionId,
    number: q.index + 1,
    text: q.text,
    options: q.options,
    correctOption: null,
    points: q.points,
    timeLimitSeconds: q.timeLimitSeconds,
    closed: false,
    startedAt: q.startedAt,
    closesAt: q.closesAt,
  };
}
