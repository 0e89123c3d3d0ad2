// Composition root of the server: the runtime (services), the schema, the HTTP/WS server, the
// background workers, and the order they stop in.
import type { Agenda } from "agenda";
import { AttendanceLogWriter } from "./domain/attendance/writer";
import { EnrollmentLogWriter } from "./domain/enrollment/writer";
import { defineJobs } from "./jobs";
import { initAttendanceModels } from "./models/attendance";
import { createAgenda } from "./platform/agenda";
import type { Config } from "./platform/config";
import type { Logger } from "./platform/logger";
import { createHttpServer } from "./platform/server";
import { buildAppSchema } from "./schema";
import { createRuntime, type Runtime } from "./runtime";

export interface App {
  runtime: Runtime;
  listen(): Promise<number>;
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

    // The enrollment log's durable writer runs in every instance; the consumer group shares the work.
    const writer = new EnrollmentLogWriter(await redis.dedicated("log-writer"), services.engine.logKey, logger, config.LOG_CLAIM_IDLE_MS);
    await writer.start();
    runtime.onClose(() => writer.stop());
    metrics.registerBacklog(() => writer.backlog);

    // Attendance: its indexes, the register log's writer (same pattern), the school-staff cache's feed.
    await initAttendanceModels();
    const attendanceWriter = new AttendanceLogWriter(await redis.dedicated("attendance-writer"), services.attendanceEngine, logger, config.LOG_CLAIM_IDLE_MS);
    await attendanceWriter.start();
    runtime.onClose(() => attendanceWriter.stop());
    metrics.registerBacklog(() => attendanceWriter.backlog, "attendance");
    services.attendanceDirectory.start(services.events);
    runtime.onClose(() => services.attendanceDirectory.stop());

    const agenda: Agenda = createAgenda(mongo.connection, config.AGENDA_PROCESS_EVERY_MS);
    defineJobs(agenda, services, logger);
    await agenda.start();
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
