// Composition root of the server: the runtime (connections, services), the workers (src/jobs:
// everything that runs without a request), the schema, the HTTP/WS server. Stopping runs in reverse:
// the server stops taking requests (drains HTTP, closes sockets), the workers stop (the log writers
// write what their streams hold), then MongoDB and Redis close.
import { startWorkers } from "./jobs";
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

    const workers = await startWorkers(runtime);
    runtime.onClose(() => workers.stop());

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
    runtime.onClose(() => server.close());

    return { runtime, listen: () => server.listen(), stop: () => runtime.close() };
  } catch (e) {
    await runtime.close();
    throw e;
  }
}
