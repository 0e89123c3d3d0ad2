// The API's quiz types: quizzes and questions, players, leaderboards, answers and results, the inputs
// that create quizzes, and the presenters. Which questions and correct options a viewer sees is
// decided by domain/quizzes/views.ts; toQuiz shows only those.
import { ArrayMaxSize, ArrayMinSize, IsOptional, Max, Min, ValidateNested } from "class-validator";
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { LeaderboardSnapshot } from "../events/catalogue";
import { QUIZ_MODES, type QuizMode } from "../models/quiz";
import { LIMITS, type AnswerOutcome, type PlayerResult } from "../domain/quizzes/service";
import { quizStatus, visibleQuestions, type QuestionView, type QuizStatus, type QuizView } from "../domain/quizzes/views";
import { DateInRange, ObjectIdString, SafeText } from "./bounds";
import { ConnectionArgs, ConnectionType } from "./relay";
import { enumOf } from "./user";

export const QuizModeEnum = enumOf(QUIZ_MODES);
registerEnumType(QuizModeEnum, {
  name: "QuizMode",
  description: "How a quiz's questions open",
  valuesConfig: {
    LIVE: { description: "The host starts each question for everyone (startQuestion); each is open for its time limit" },
    SELF_PACED: { description: "Every question is open from availableFrom until the quiz closes; players answer at their own pace" },
  },
});
export const QuizStatusEnum = enumOf(["SCHEDULED", "OPEN", "CLOSED"] as const);
registerEnumType(QuizStatusEnum, {
  name: "QuizStatus",
  description: "Where a quiz is in its life",
  valuesConfig: {
    SCHEDULED: { description: "Before availableFrom: nobody may join yet" },
    OPEN: { description: "Players may join and answer" },
    CLOSED: { description: "Closed by its host or past closesAt: no more answers, correct options shown, final leaderboard stored" },
  },
});

@ObjectType({ description: "A question as its viewer may see it: players see the correct option only once it has closed" })
export class Question {
  @Field(() => ID, { description: "The question id (answer takes it)" })
  id: string;

  @Field(() => Int, { description: "1-based position in the quiz" })
  number: number;

  @Field({ description: "The question" })
  text: string;

  @Field(() => [String], { description: "The choices, 2 to 6; answer with the 0-based index of one" })
  options: string[];

  @Field(() => Int, { nullable: true, description: "0-based index of the right option; null for players until the question closes" })
  correctOption: number | null;

  @Field(() => Int, { description: "Points for a right answer, before the speed and streak bonuses" })
  points: number;

  @Field(() => Int, { description: "LIVE: seconds to answer once the host started it" })
  timeLimitSeconds: number;

  @Field({ description: "No more answers are taken (LIVE: time is up or the host moved on; both modes: the quiz closed)" })
  closed: boolean;

  @Field(() => Date, { nullable: true, description: "LIVE: when the host started it (the current question only)" })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: "LIVE: when its time runs out (the current question only)" })
  closesAt: Date | null;
}

@ObjectType({ description: "A quiz of a course: its settings, its state, and the questions its viewer may see" })
export class Quiz {
  @Field(() => ID, { description: "The quiz id" })
  id: string;

  @Field({ description: "Title" })
  title: string;

  @Field(() => QuizModeEnum, { description: "LIVE (the host paces it) or SELF_PACED" })
  mode: QuizMode;

  @Field(() => QuizStatusEnum, { description: "SCHEDULED, OPEN or CLOSED, now" })
  status: QuizStatus;

  @Field({ description: "Players may join from then on" })
  availableFrom: Date;

  @Field(() => Date, { nullable: true, description: "Closes by itself then (null: when the host closes it)" })
  closesAt: Date | null;

  @Field(() => Date, { nullable: true, description: "When it closed (null while not closed)" })
  closedAt: Date | null;

  @Field({ description: "Faster right answers earn more: points x (1 - t/2T), full points under 0.5 s" })
  speedBonus: boolean;

  @Field({ description: "+100 per consecutive right answer from the second, at most +500" })
  streakBonus: boolean;

  @Field(() => Int, { description: "How many questions it has (players may see fewer so far)" })
  questionCount: number;

  @Field(() => [Question], { description: "Hosts see all; players see LIVE questions once started, SELF_PACED ones once the quiz opens" })
  questions: Question[];

  @Field(() => Question, { nullable: true, description: "LIVE: the question started last" })
  currentQuestion: Question | null;

  courseId: string;
}

export const QuizConnection = ConnectionType(Quiz);

@InputType({ description: "Which quizzes to list; every field given must match" })
export class QuizFilterInput {
  @Field(() => ID, { nullable: true, description: "Only this course's quizzes (FORBIDDEN NOT_ENROLLED if you may not see them)" })
  @IsOptional()
  @ObjectIdString()
  courseId?: string | null;

  @Field(() => QuizStatusEnum, { nullable: true, description: "Only quizzes in this state now" })
  @IsOptional()
  status?: QuizStatus | null;

  @Field(() => QuizModeEnum, { nullable: true, description: "Only LIVE or only SELF_PACED quizzes" })
  @IsOptional()
  mode?: QuizMode | null;
}

/** Course.quizzes: the course is the field's own. */
@ArgsType()
export class CourseQuizzesArgs extends ConnectionArgs {
  @Field(() => QuizStatusEnum, { nullable: true, description: "Only quizzes in this state now" })
  @IsOptional()
  status?: QuizStatus | null;

  @Field(() => QuizModeEnum, { nullable: true, description: "Only LIVE or only SELF_PACED quizzes" })
  @IsOptional()
  mode?: QuizMode | null;
}

@ObjectType({ description: "A player, as the leaderboard shows them" })
export class QuizPlayer {
  /** Shown through QuizPlayerResolver.id: only to that player and ADMINs. */
  id: string;

  @Field({ description: "The player's display name" })
  name: string;
}

@ObjectType({ description: "One place on a leaderboard" })
export class LeaderboardEntry {
  @Field(() => Int, { description: "1-based; ties go to whoever reached the score first" })
  rank: number;

  @Field(() => Int, { description: "Total points" })
  score: number;

  @Field(() => QuizPlayer, { description: "Who holds the place (by name; the user id only to that player and ADMINs)" })
  player: QuizPlayer;
}

@ObjectType({ description: "The top of a quiz's leaderboard at one instant" })
export class Leaderboard {
  @Field(() => ID, { description: "The quiz" })
  quizId: string;

  @Field(() => Int, { description: "Counts the leaderboard's changes: a snapshot reflects every answer whose leaderboardVersion is <= this" })
  version: number;

  @Field({ description: "The quiz has closed: these are the final standings" })
  closed: boolean;

  @Field(() => Int, { description: "Players who joined" })
  playerCount: number;

  @Field({ description: "Server time of this snapshot" })
  asOf: Date;

  @Field(() => [LeaderboardEntry], { description: "The top places, best first" })
  entries: LeaderboardEntry[];
}

@ObjectType({ description: "What an answer earned, and where it puts the player" })
export class AnswerResult {
  @Field({ description: "The choice was the right option" })
  correct: boolean;

  @Field(() => Int, { description: "Points for this answer, bonuses included (0 when wrong)" })
  pointsAwarded: number;

  @Field(() => Int, { description: "The player's score after it" })
  totalScore: number;

  @Field(() => Int, { description: "The player's 1-based place after it" })
  rank: number;

  @Field(() => Int, { description: "The leaderboard version right after this answer (see Leaderboard.version)" })
  leaderboardVersion: number;

  @Field({ description: "Server time the answer was taken (its speed is measured on the server clock)" })
  answeredAt: Date;
}

@ObjectType({ description: "One of a player's answers" })
export class PlayerAnswer {
  @Field(() => ID, { description: "The question answered" })
  questionId: string;

  @Field(() => Int, { description: "The 0-based option chosen" })
  choice: number;

  @Field({ description: "It was the right option" })
  correct: boolean;

  @Field(() => Int, { description: "Points it earned" })
  pointsAwarded: number;
}

@ObjectType({ description: "A player's standing in a quiz: kept across reconnects (identity is the token)" })
export class QuizResult {
  @Field(() => ID, { description: "The quiz" })
  quizId: string;

  @Field(() => Int, { description: "Total points so far" })
  score: number;

  @Field(() => Int, { description: "1-based place now" })
  rank: number;

  @Field(() => Int, { description: "Players who joined" })
  playerCount: number;

  @Field({ description: "When the player joined" })
  joinedAt: Date;

  @Field(() => [PlayerAnswer], { description: "Every answer given so far" })
  answers: PlayerAnswer[];
}

@InputType({ description: "One question of a new quiz" })
export class QuestionInput {
  @Field({ description: "The question, 1 to 2000 characters" })
  @SafeText(LIMITS.text, { multiline: true })
  text: string;

  @Field(() => [String], { description: `${LIMITS.options[0]} to ${LIMITS.options[1]} options` })
  @ArrayMinSize(LIMITS.options[0])
  @ArrayMaxSize(LIMITS.options[1])
  @SafeText(LIMITS.text, { multiline: true }, { each: true })
  options: string[];

  @Field(() => Int, { description: "0-based index of the right option" })
  correctOption: number;

  @Field(() => Int, { nullable: true, description: "Default 1000" })
  @IsOptional()
  @Min(LIMITS.points[0])
  @Max(LIMITS.points[1])
  points?: number | null;

  @Field(() => Int, { nullable: true, description: "Default 20" })
  @IsOptional()
  @Min(LIMITS.timeLimitSeconds[0])
  @Max(LIMITS.timeLimitSeconds[1])
  timeLimitSeconds?: number | null;
}

@InputType({ description: "A new quiz for a course (its staff or an ADMIN)" })
export class CreateQuizInput {
  @Field(() => ID, { description: "The course whose enrolled students play it" })
  courseId: string;

  @Field({ description: "Title, 1 to 200 characters" })
  @SafeText(200)
  title: string;

  @Field(() => QuizModeEnum, { description: "LIVE (you start each question) or SELF_PACED (all questions open in its window)" })
  mode: QuizMode;

  @Field(() => Date, { nullable: true, description: "Default: now" })
  @IsOptional()
  @DateInRange()
  availableFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: "Default: open until closeQuiz" })
  @IsOptional()
  @DateInRange()
  closesAt?: Date | null;

  @Field(() => [QuestionInput], { description: "Its questions, in order: 1 to 100" })
  @ArrayMinSize(LIMITS.questions[0])
  @ArrayMaxSize(LIMITS.questions[1])
  @ValidateNested({ each: true })
  questions: QuestionInput[];

  @Field(() => Boolean, { nullable: true, description: "points x (1 - t/2T), full points under 0.5 s; default true" })
  @IsOptional()
  speedBonus?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "+100 per consecutive correct answer from the second, at most +500; default true" })
  @IsOptional()
  streakBonus?: boolean | null;
}

export function toQuestion(v: QuestionView): Question {
  return {
    id: v.question._id.toHexString(),
    number: v.index + 1,
    text: v.question.text,
    options: v.question.options,
    correctOption: v.correctOption,
    points: v.question.points,
    timeLimitSeconds: v.question.timeLimitSeconds,
    closed: v.closed,
    startedAt: v.startedAt,
    closesAt: v.closesAt,
  };
}

/** The presenter: the questions and correct options this viewer sees, as domain/quizzes/views.ts decides them. */
export function toQuiz(v: QuizView): Quiz {
  const questions = visibleQuestions(v);
  const current = v.quiz.mode === "LIVE" ? questions.find((q) => q.index === v.state.current) : undefined;
  return {
    id: v.quiz._id.toHexString(),
    title: v.quiz.title,
    mode: v.quiz.mode,
    status: quizStatus(v),
    availableFrom: v.quiz.availableFrom,
    closesAt: v.quiz.closesAt,
    closedAt: v.state.closedAt ? new Date(v.state.closedAt) : null,
    speedBonus: v.quiz.speedBonus,
    streakBonus: v.quiz.streakBonus,
    questionCount: v.quiz.questions.length,
    questions: questions.map(toQuestion),
    currentQuestion: current ? toQuestion(current) : null,
    courseId: v.quiz.course.toHexString(),
  };
}

export function toLeaderboard(s: LeaderboardSnapshot, first = s.entries.length): Leaderboard {
  return {
    quizId: s.quizId,
    version: s.version,
    closed: s.closed,
    playerCount: s.playerCount,
    asOf: new Date(s.asOf),
    entries: s.entries.slice(0, first).map((e) => ({ rank: e.rank, score: e.score, player: { id: e.userId, name: e.name } })),
  };
}

export function toAnswerResult(o: AnswerOutcome): AnswerResult {
  return o;
}

export function toQuizResult(r: PlayerResult): QuizResult {
  return { quizId: r.quizId, score: r.score, rank: r.rank, playerCount: r.playerCount, joinedAt: new Date(r.joinedAt), answers: r.answers };
}
