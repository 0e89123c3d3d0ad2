// The three durable logs' writers (enrollment, quiz, attendance): each reads its Redis Stream on a
// connection of its own (XREADGROUP BLOCK holds it) and writes it to MongoDB under the one batching
// policy of the configuration (LOG_BATCH, LOG_FLUSH_MS, LOG_CLAIM_IDLE_MS). Each instance runs one of
// each; a log's consumer group shares its entries between the instances. Backlogs go to /metrics.
import type { Redis } from "ioredis";
import { AttendanceLogWriter } from "../domain/attendance/writer";
import { EnrollmentLogWriter } from "../domain/enrollment/writer";
import { QuizLogWriter } from "../domain/quizzes/writer";
import type { StreamWriter, WriterPolicy } from "../platform/streamWriter";
import type { Runtime } from "../runtime";

/** Starts the writers; `started` is handed each one's stop (which writes what its stream still holds). */
export async function startLogWriters(
  { config, logger, metrics, redis, services }: Runtime,
  started: (name: string, stop: () => Promise<void>) => void,
): Promise<void> {
  const policy: WriterPolicy = { batch: config.LOG_BATCH, flushMs: config.LOG_FLUSH_MS, claimIdleMs: config.LOG_CLAIM_IDLE_MS };
  const writers: { log: string; connection: string; writer: (redis: Redis) => StreamWriter }[] = [
    // Enrollments and profiles, newest version each.
    { log: "enrollment", connection: "log-writer", writer: (r) => new EnrollmentLogWriter(r, services.engine.logKey, logger, policy) },
    // Answers, joins, and the final leaderboard of a closed quiz.
    { log: "quiz", connection: "quiz-log-writer", writer: (r) => new QuizLogWriter(r, services.quizEngine, logger, policy) },
    // Registers and their audit trail.
    { log: "attendance", connection: "attendance-writer", writer: (r) => new AttendanceLogWriter(r, services.attendanceEngine, logger, policy) },
  ];
  for (const { log, connection, writer: make } of writers) {
    const writer = make(await redis.dedicated(connection));
    await writer.start();
    started(`${log} log writer`, () => writer.stop());
    metrics.registerBacklog(() => writer.backlog, log);
  }
}
