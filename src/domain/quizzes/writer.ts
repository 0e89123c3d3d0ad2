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

/** More than any quiz's players: the whole leaderboard is stored at close. */
const ALL_PLAYERS = 1_000_000_000;

export class QuizLogWriter extends StreamWriter {
  constructor(redis: Redis, engine: QuizEngine, logger: Logger, policy: WriterPolicy) {
    super(redis, logger, { key: engine.logKey, name: "quiz", ...policy, apply: (entries) => applyQuizLog(engine, entries) });
  }
}

async function applyQuizLog(engine: QuizEngine, entries: StreamEntry[]): Promise<void> {
  const oid = (id: string) => new Types.ObjectId(id);
  const joins = entries.filter((e) => e.k === "J").map((e) => ({ quiz: oid(e.qz), user: oid(e.u), joinedAt: new Date(Number(e.at)) }));
  const answers = entries
    .filter((e) => e.k === "A")
    .map((e) => ({
      quiz: oid(e.qz),
      question: oid(e.q),
      user: oid(e.u),
      choice: Number(e.ch),
      correct: e.ok === "1",
      pointsAwarded: Number(e.pts),
      totalScore: Number(e.tot),
      elapsedMs: Number(e.ms),
      answeredAt: new Date(Number(e.at)),
    }));
  await Promise.all([
    insertIgnoringDuplicates(QuizPlayerModel.collection, joins),
    insertIgnoringDuplicates(QuizAnswerModel.collection, answers),
  ]);
  for (const close of entries.filter((e) => e.k === "C")) {
    const standings = await engine.top(close.qz, ALL_PLAYERS);
    await insertIgnoringDuplicates(
      QuizStandingModel.collection,
      standings.entries.map((s) => ({ quiz: oid(close.qz), user: oid(s.userId), name: s.name, score: s.score, rank: s.rank })),
    );
    await QuizModel.collection.updateOne({ _id: oid(close.qz) }, { $set: { closedAt: new Date(Number(close.at)) } });
  }
}
