// The quiz log's writer: the shared stream writer applying joins and answers to MongoDB with
// `insertMany` (the unique indexes make a replayed entry a no-op), and, when a quiz closes, its final
// leaderboard. Closing is an entry of the same log, so the standings are written even if the
// instance that closed the quiz dies right after.
import type { Redis } from "ioredis";
import { Types } from "mongoose";
import { QuizAnswerModel, QuizModel, QuizPlayerModel, QuizStandingModel } from "../../models/quiz";
import type { Logger } from "../../platform/logger";
import { StreamWriter, insertIgnoringDuplicates, type StreamEntry, type WriterPolicy } from "../../platform/streamWriter";
import type { QuizEngine } from "./engine";
import { decodeQuizLog } from "./logEntry";

/** More than any quiz's players: the whole leaderboard is stored at close. */
const ALL_PLAYERS = 1_000_000_000;

export class QuizLogWriter extends StreamWriter {
  constructor(redis: Redis, engine: QuizEngine, logger: Logger, policy: WriterPolicy) {
    super(redis, logger, { key: engine.logKey, name: "quiz", ...policy, apply: (entries) => applyQuizLog(engine, entries) });
  }
}

async function applyQuizLog(engine: QuizEngine, raw: StreamEntry[]): Promise<void> {
  const oid = (id: string) => new Types.ObjectId(id);
  const entries = raw.map(decodeQuizLog);
  const joins = entries.filter((e) => e?.kind === "J").map((e) => ({ quiz: oid(e.quizId), user: oid(e.userId), joinedAt: new Date(e.at) }));
  const answers = entries
    .filter((e) => e?.kind === "A")
    .map((e) => ({
      quiz: oid(e.quizId),
      question: oid(e.questionId),
      user: oid(e.userId),
      choice: e.choice,
      correct: e.correct,
      pointsAwarded: e.pointsAwarded,
      totalScore: e.totalScore,
      elapsedMs: e.elapsedMs,
      answeredAt: new Date(e.at),
    }));
  await Promise.all([
    insertIgnoringDuplicates(QuizPlayerModel.collection, joins),
    insertIgnoringDuplicates(QuizAnswerModel.collection, answers),
  ]);
  for (const close of entries.filter((e) => e?.kind === "C")) {
    const standings = await engine.top(close.quizId, ALL_PLAYERS);
    await insertIgnoringDuplicates(
      QuizStandingModel.collection,
      standings.entries.map((s) => ({ quiz: oid(close.quizId), user: oid(s.userId), name: s.name, score: s.score, rank: s.rank })),
    );
    await QuizModel.collection.updateOne({ _id: oid(close.quizId) }, { $set: { closedAt: new Date(close.at) } });
  }
}
