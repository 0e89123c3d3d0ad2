// Quizzes (`quizzes`) and their durable record, written from the quiz log: players (`quizplayers`),
// answers (`quizanswers`) and final standings (`quizstandings`). Unique keys make each once only: a
// player per (quiz, user), an answer per (quiz, question, user), a standing per (quiz, user), so a
// replayed log entry is a no-op.
import "./plugins";
import { Schema, model, type Types } from "mongoose";

export const QUIZ_MODES = ["LIVE", "SELF_PACED"] as const;
export type QuizMode = (typeof QUIZ_MODES)[number];

export interface QuestionDoc {
  _id: Types.ObjectId;
  text: string;
  options: string[];
  /** 0-based index into options. */
  correctOption: number;
  points: number;
  timeLimitSeconds: number;
}

const questionSchema = new Schema<QuestionDoc>(
  {
    text: { type: String, required: true },
    options: { type: [String], required: true },
    correctOption: { type: Number, required: true },
    points: { type: Number, required: true },
    timeLimitSeconds: { type: Number, required: true },
  },
  { versionKey: false },
);

/**
 * A quiz and its questions. The live state (current question, players, scores) is held by the quiz
 * engine in Redis; this document keeps the definition, the last question started (so a flushed
 * Redis can be reloaded) and when the quiz closed.
 */
const quizSchema = new Schema(
  {
    course: { type: Schema.Types.ObjectId, required: true },
    owner: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    mode: { type: String, enum: QUIZ_MODES, required: true },
    availableFrom: { type: Date, required: true },
    closesAt: { type: Date, default: null },
    questions: { type: [questionSchema], required: true },
    speedBonus: { type: Boolean, required: true },
    streakBonus: { type: Boolean, required: true },
    currentQuestion: { type: Number, default: -1 },
    questionStartedAt: { type: Date, default: null },
    questionClosesAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
  },
  { versionKey: false, timestamps: true },
);
quizSchema.index({ course: 1 });

export interface QuizDoc {
  _id: Types.ObjectId;
  course: Types.ObjectId;
  owner: Types.ObjectId;
  title: string;
  mode: QuizMode;
  availableFrom: Date;
  closesAt: Date | null;
  questions: QuestionDoc[];
  speedBonus: boolean;
  streakBonus: boolean;
  currentQuestion: number;
  questionStartedAt: Date | null;
  questionClosesAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
}
export const QuizModel = model("Quiz", quizSchema);

/** Who joined a quiz (from the quiz log). */
const playerSchema = new Schema(
  {
    quiz: { type: Schema.Types.ObjectId, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    joinedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: "quizplayers" },
);
playerSchema.index({ quiz: 1, user: 1 }, { unique: true });
export const QuizPlayerModel = model("QuizPlayer", playerSchema);

/** Every accepted answer, once: the unique index makes a replayed log entry a no-op. */
const answerSchema = new Schema(
  {
    quiz: { type: Schema.Types.ObjectId, required: true },
    question: { type: Schema.Types.ObjectId, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    choice: { type: Number, required: true },
    correct: { type: Boolean, required: true },
    pointsAwarded: { type: Number, required: true },
    /** The player's score right after this answer. */
    totalScore: { type: Number, required: true },
    /** From the question's start (LIVE) or the player's previous answer (SELF_PACED), server clock. */
    elapsedMs: { type: Number, required: true },
    answeredAt: { type: Date, required: true },
  },
  { versionKey: false, collection: "quizanswers" },
);
answerSchema.index({ quiz: 1, question: 1, user: 1 }, { unique: true });
answerSchema.index({ quiz: 1, user: 1 });
export interface QuizAnswerDoc {
  quiz: Types.ObjectId;
  question: Types.ObjectId;
  user: Types.ObjectId;
  choice: number;
  correct: boolean;
  pointsAwarded: number;
  totalScore: number;
  elapsedMs: number;
  answeredAt: Date;
}
export const QuizAnswerModel = model("QuizAnswer", answerSchema);

/** The final leaderboard, written once when the quiz closes. */
const standingSchema = new Schema(
  {
    quiz: { type: Schema.Types.ObjectId, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    score: { type: Number, required: true },
    rank: { type: Number, required: true },
  },
  { versionKey: false, collection: "quizstandings" },
);
standingSchema.index({ quiz: 1, user: 1 }, { unique: true });
standingSchema.index({ quiz: 1, rank: 1 });
export interface QuizStandingDoc {
  quiz: Types.ObjectId;
  user: Types.ObjectId;
  name: string;
  score: number;
  rank: number;
}
export const QuizStandingModel = model("QuizStanding", standingSchema);
