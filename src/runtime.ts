// The runtime: connected MongoDB and Redis, and the domain services on them. Used by the server
// (src/app.ts), by scripts (seed) and by tests that drive a domain service directly.
import type { Agenda } from "agenda";
import { TokenService } from "./auth/tokens";
import { EventBus } from "./events/bus";
import type { Clock } from "./platform/clock";
import type { Config } from "./platform/config";
import type { Logger } from "./platform/logger";
import { AGENDA_INDEX, createAgenda } from "./platform/agenda";
import { buildIndexes } from "./platform/collections";
import { Metrics } from "./platform/metrics";
import { connectMongo, type MongoHandle } from "./platform/mongo";
import { RedisPubSubAdapter } from "./platform/pubsub";
import { connectRedis, type RedisHandle } from "./platform/redis";
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
  /** The job scheduler, created here (domains schedule jobs) and started with the workers (src/jobs) by the server only. */
  agenda: Agenda;
  services: Services;
  /** Runs `close` hooks in reverse order of registration. */
  onClose(close: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, logger: Logger, clock?: Clock): Promise<Runtime> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err) => logger.warn({ err }, "error during shutdown"));
  };
  try {
    const [mongo, redis] = await Promise.all([connectMongo(config.MONGO_URL, logger), connectRedis(config.REDIS_URL, logger)]);
    closers.push(() => mongo.close(), () => redis.close());
    await buildIndexes(mongo.connection, [AGENDA_INDEX]);
    const metrics = new Metrics();
    const pubsub = new RedisPubSubAdapter(redis.publisher, redis.subscriber, config.REDIS_PREFIX);
    closers.push(() => pubsub.close());
    const events = new EventBus(pubsub, logger, (name) => metrics.events.inc({ name }));
    const tokens = new TokenService(config.jwtSecret, config.JWT_TTL_SECONDS);
    const agenda = createAgenda(mongo.connection, config.AGENDA_PROCESS_EVERY_MS);
    const services = createServices({ config, logger, redis, events, tokens, agenda, clock });
    return { config, logger, mongo, redis, pubsub, metrics, tokens, agenda, services, onClose: (c) => closers.push(c), close };
  } catch (e) {
    await close();
    throw e;
  }
}

