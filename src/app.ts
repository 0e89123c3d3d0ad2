// Composition root of the server: the runtime (services), the schema, the HTTP/WS server, the
// background workers, and the order they stop in.
import { AttendanceLogWriter } from "./domain/attendance/writer";
import { EnrollmentLogWriter } from "./domain/enrollment/writer";
import { QuizLogWriter } from "./domain/quizzes/writer";
import { scheduleRecurringJobs, startJobs, stopJobs } from "./jobs";
import type { Config } from "./platform/config";
import type { Logger } from "./platform/logger";
import { createHttpServer } from "./server/http";
import { buildAppSchema } from "./server/schema";
import { createRuntime, type Runtime } from "./runtime";

export interface App {
  runtime: Runtime;
  /** The API's port and the metrics listener's. */
  listen(): Promise<{ port: number; metricsPort: number }>;
  stop(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  const runtime = await createRuntime(config, logger);
  const { mongo, redis, services, metrics, tokens, pubsub } = runtime;
  try {
    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
      await services.accounts.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    }

    await services.catalogue.start(services.events);
    runtime.onClose(async () => services.catalogue.stop());
    // Accounts an ADMIN locked or changed: every instance's account cache and sockets follow at once.
    services.accountStates.start(services.events);
    runtime.onClose(() => services.accountStates.stop());
    // Live feeds whose right an event withdrew end (src/events/access.ts).
    services.access.start();
    runtime.onClose(() => services.access.stop());

    // The enrollment log's durable writer runs in every instance; the consumer group shares the work.
    const writer = new EnrollmentLogWriter(await redis.dedicated("log-writer"), services.engine.logKey, logger, config.LOG_CLAIM_IDLE_MS);
    await writer.start();
    runtime.onClose(() => writer.stop());
    metrics.registerBacklog(() => writer.backlog);

    // The quiz log's writer (answers, joins, final leaderboards), and the leaderboard push timers.
    const quizWriter = new QuizLogWriter(await redis.dedicated("quiz-log-writer"), services.quizEngine, logger, {
      batch: config.QUIZ_LOG_BATCH,
      flushMs: config.QUIZ_LOG_FLUSH_MS,
      claimIdleMs: config.LOG_CLAIM_IDLE_MS,
    });
    await quizWriter.start();
    runtime.onClose(() => quizWriter.stop());
    runtime.onClose(async () => services.leaderboard.stop());
    services.quizzes.start();
    runtime.onClose(() => services.quizzes.stop());
    metrics.registerBacklog(() => quizWriter.backlog, "quiz");

    // Attendance: the register log's writer (same pattern), the school-staff cache's feed.
    const attendanceWriter = new AttendanceLogWriter(await redis.dedicated("attendance-writer"), services.attendanceEngine, logger, config.LOG_CLAIM_IDLE_MS);
    await attendanceWriter.start();
    runtime.onClose(() => attendanceWriter.stop());
    metrics.registerBacklog(() => attendanceWriter.backlog, "attendance");
    services.attendanceDirectory.start(services.events);
    runtime.onClose(() => services.attendanceDirectory.stop());

    // Office-hours lines still being written to MongoDB are written before it closes (after the jobs stop).
    runtime.onClose(() => services.officeHours.stop());
    const { agenda } = runtime;
    startJobs(agenda, services, logger, metrics);
    runtime.onClose(() => stopJobs(services));
    await agenda.start();
    await scheduleRecurringJobs(agenda, config);
    runtime.onClose(() => agenda.stop());

    const schema = await buildAppSchema(pubsub);
    const server = await createHttpServer({
      config,
      logger,
      metrics,
      schema,
      services,
      tokens,
      readiness: async () => {
        const [mongoOk, redisOk] = await Promise.all([
          mongo.connection.db!.admin().ping().then(() => true, () => false),
          redis.client.ping().then(() => true, () => false),
        ]);
        return { mongo: mongoOk, redis: redisOk };
      },
    });
    // Stopping Apollo drains HTTP requests and closes WebSockets before the services go away.
    runtime.onClose(() => server.close());

    return { runtime, listen: () => server.listen(), stop: () => runtime.close() };
  } catch (e) {
    await runtime.close();
    throw e;
  }
}
