import { ArrayMaxSize, ArrayMinSize, IsOptional, Max, Min, ValidateNested } from "class-validator";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { LeaderboardSnapshot } from "../events/catalogue";
import { QUIZ_MODES, type QuizMode } from "../models/quiz";
import { LIMITS, quizStatus, visibleQuestions, type AnswerOutcome, type PlayerResult, type QuestionView, type QuizStatus, type QuizView } from "../domain/quizzes/service";
import { DateInRange, SafeText } from "./bounds";
import { enumOf } from "./user";

export const QuizModeEnum = enumOf(QUIZ_MODES);
registerEnumType(QuizModeEnum, {
  name: "QuizMode",
  description: "LIVE: the host starts each question for everyone; SELF_PACED: every question is open in the quiz's window",
});
export const QuizStatusEnum = enumOf(["SCHEDULED", "OPEN", "CLOSED"] as const);
registerEnumType(QuizStatusEnum, { name: "QuizStatus" });

@ObjectType({ description: "A question as its viewer may see it: players see the correct option only once it has closed" })
export class Question {
  @Field(() => ID)
  id: string;

  @Field(() => Int, { description: "1-based position in the quiz" })
  number: number;

  @Field()
  text: string;

  @Field(() => [String])
  options: string[];

  @Field(() => Int, { nullable: true, description: "0-based index of the right option; null for players until the question closes" })
  correctOption: number | null;

  @Field(() => Int)
  points: number;

  @Field(() => Int)
  timeLimitSeconds: number;

  @Field({ description: "No more answers are taken (LIVE: time is up or the host moved on; both modes: the quiz closed)" })
  closed: boolean;

  @Field(() => Date, { nullable: true, description: "LIVE: when the host started it (the current question only)" })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: "LIVE: when its time runs out (the current question only)" })
  closesAt: Date | null;
}

@ObjectType()
export class Quiz {
  @Field(() => ID)
  id: string;

  @Field()
  title: string;

  @Field(() => QuizModeEnum)
  mode: QuizMode;

  @Field(() => QuizStatusEnum)
  status: QuizStatus;

  @Field()
  availableFrom: Date;

  @Field(() => Date, { nullable: true })
  closesAt: Date | null;

  @Field(() => Date, { nullable: true })
  closedAt: Date | null;

  @Field()
  speedBonus: boolean;

  @Field()
  streakBonus: boolean;

  @Field(() => Int)
  questionCount: number;

  @Field(() => [Question], { description: "Hosts see all; players see LIVE questions once started, SELF_PACED ones once the quiz opens" })
  questions: Question[];

  @Field(() => Question, { nullable: true, description: "LIVE: the question started last" })
  currentQuestion: Question | null;

  courseId: string;
}

@ObjectType({ description: "A player, as the leaderboard shows them" })
export class QuizPlayer {
  /** Shown through QuizPlayerResolver.id: only to that player and ADMINs. */
  id: string;

  @Field()
  name: string;
}

@ObjectType()
export class LeaderboardEntry {
  @Field(() => Int, { description: "1-based; ties go to whoever reached the score first" })
  rank: number;

  @Field(() => Int)
  score: number;

  @Field(() => QuizPlayer)
  player: QuizPlayer;
}

@ObjectType({ description: "The top of a quiz's leaderboard at one instant" })
export class Leaderboard {
  @Field(() => ID)
  quizId: string;

  @Field(() => Int, { description: "Counts the leaderboard's changes: a snapshot reflects every answer whose leaderboardVersion is <= this" })
  version: number;

  @Field()
  closed: boolean;

  @Field(() => Int)
  playerCount: number;

  @Field({ description: "Server time of this snapshot" })
  asOf: Date;

  @Field(() => [LeaderboardEntry])
  entries: LeaderboardEntry[];
}

@ObjectType()
export class AnswerResult {
  @Field()
  correct: boolean;

  @Field(() => Int)
  pointsAwarded: number;

  @Field(() => Int)
  totalScore: number;

  @Field(() => Int)
  rank: number;

  @Field(() => Int, { description: "The leaderboard version right after this answer (see Leaderboard.version)" })
  leaderboardVersion: number;

  @Field({ description: "Server time the answer was taken (its speed is measured on the server clock)" })
  answeredAt: Date;
}

@ObjectType()
export class PlayerAnswer {
  @Field(() => ID)
  questionId: string;

  @Field(() => Int)
  choice: number;

  @Field()
  correct: boolean;

  @Field(() => Int)
  pointsAwarded: number;
}

@ObjectType({ description: "A player's standing in a quiz: kept across reconnects (identity is the token)" })
export class QuizResult {
  @Field(() => ID)
  quizId: string;

  @Field(() => Int)
  score: number;

  @Field(() => Int)
  rank: number;

  @Field(() => Int)
  playerCount: number;

  @Field()
  joinedAt: Date;

  @Field(() => [PlayerAnswer])
  answers: PlayerAnswer[];
}

@InputType()
export class QuestionInput {
  @Field()
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

@InputType()
export class CreateQuizInput {
  @Field(() => ID)
  courseId: string;

  @Field()
  @SafeText(200)
  title: string;

  @Field(() => QuizModeEnum)
  mode: QuizMode;

  @Field(() => Date, { nullable: true, description: "Default: now" })
  @IsOptional()
  @DateInRange()
  availableFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: "Default: open until closeQuiz" })
  @IsOptional()
  @DateInRange()
  closesAt?: Date | null;

  @Field(() => [QuestionInput])
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

/** The presenter: which questions and correct options this viewer sees is decided here, by role and state. */
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
