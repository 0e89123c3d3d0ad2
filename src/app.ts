// Composition root: connects the services, builds the schema and the server, and tears them down.
import type { Agenda } from "agenda";
import { TokenService } from "./auth/tokens";
import { EventBus } from "./events/bus";
import { EnrollmentLogWriter } from "./domain/enrollment/writer";
import { defineJobs } from "./jobs";
import { createAgenda } from "./platform/agenda";
import type { Config } from "./platform/config";
import type { Logger } from "./platform/logger";
import { Metrics } from "./platform/metrics";
import { connectMongo, type MongoHandle } from "./platform/mongo";
import { RedisPubSubAdapter } from "./platform/pubsub";
import { connectRedis, type RedisHandle } from "./platform/redis";
import { createHttpServer } from "./platform/server";
import { buildAppSchema } from "./schema";
import { createServices, type Services } from "./services";

/** Connected services and the domain layer, without a server: used by the server and by scripts. */
export interface Runtime {
  config: Config;
  logger: Logger;
  mongo: MongoHandle;
  redis: RedisHandle;
  pubsub: RedisPubSubAdapter;
  metrics: Metrics;
  tokens: TokenService;
  services: Services;
  /** Runs `close` hooks in reverse order of registration. */
  onClose(close: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err) => logger.warn({ err }, "error during shutdown"));
  };
  try {
    const [mongo, redis] = await Promise.all([connectMongo(config.MONGO_URL, logger), connectRedis(config.REDIS_URL, logger)]);
    closers.push(() => mongo.close(), () => redis.close());
    const metrics = new Metrics();
    const pubsub = new RedisPubSubAdapter(redis.publisher, redis.subscriber, config.REDIS_PREFIX);
    closers.push(() => pubsub.close());
    const events = new EventBus(pubsub, logger, (name) => metrics.events.inc({ name }));
    const tokens = new TokenService(config.jwtSecret, config.JWT_TTL_SECONDS);
    const services = createServices({ config, logger, redis, events, tokens });
    return { config, logger, mongo, redis, pubsub, metrics, tokens, services, onClose: (c) => closers.push(c), close };
  } catch (e) {
    await close();
    throw e;
  }
}

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
