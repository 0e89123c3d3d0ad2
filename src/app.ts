// Composition root: connects the services, builds the schema and the server, and tears them down.
import type { Agenda } from "agenda";
import { TokenService } from "./auth/tokens";
import { EventBus } from "./events/bus";
import { defineJobs } from "./jobs";
import { createAgenda } from "./platform/agenda";
import type { Config } from "./platform/config";
import type { Logger } from "./platform/logger";
import { Metrics } from "./platform/metrics";
import { connectMongo, type MongoHandle } from "./platform/mongo";
import { RedisPubSubAdapter } from "./platform/pubsub";
import { connectRedis, type RedisHandle } from "./platform/redis";
import { createHttpServer, type RunningServer } from "./platform/server";
import { buildAppSchema } from "./schema";
import { createServices, type Services } from "./services";

export interface App {
  services: Services;
  listen(): Promise<number>;
  stop(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  const closers: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((err) => logger.warn({ err }, "error during shutdown"));
    }
  };
  try {
    const [mongo, redis]: [MongoHandle, RedisHandle] = await Promise.all([
      connectMongo(config.MONGO_URL, logger),
      connectRedis(config.REDIS_URL, logger),
    ]);
    closers.push(() => mongo.close(), () => redis.close());

    const metrics = new Metrics();
    const pubsub = new RedisPubSubAdapter(redis.publisher, redis.subscriber, config.REDIS_PREFIX);
    closers.push(() => pubsub.close());
    const events = new EventBus(pubsub, logger, (name) => metrics.events.inc({ name }));
    const tokens = new TokenService(config.jwtSecret, config.JWT_TTL_SECONDS);
    const services = createServices({ config, logger, redis, events, tokens });

    if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
      await services.accounts.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    }

    const agenda: Agenda = createAgenda(mongo.connection, config.AGENDA_PROCESS_EVERY_MS);
    defineJobs(agenda, services, logger);
    await agenda.start();
    closers.push(() => agenda.stop());

    const schema = await buildAppSchema(pubsub);
    const server: RunningServer = await createHttpServer({
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
    closers.push(() => server.close());

    return { services, listen: () => server.listen(), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
