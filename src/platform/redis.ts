// The Redis connections: one for commands, a publisher and a subscriber, and dedicated ones for
// blocking reads; commands fail fast while Redis is down instead of queueing. Without REDIS_URL
// (never in production), a local Redis.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { localDataDir } from "./config";
import { runningLocalService, startLocalService, type LocalService } from "./localServices";
import type { Logger } from "./logger";
import { withTimeout } from "./async";
import { freePort } from "./net";
import { firstLine, redactUrl } from "./text";

export interface RedisHandle {
  url: string;
  /** Commands (rate limits, caches, sorted sets, streams). */
  client: Redis;
  /** Pub/sub needs its own two connections: a subscribed connection cannot run commands. */
  publisher: Redis;
  subscriber: Redis;
  /** A connection of its own, for blocking commands (XREADGROUP BLOCK); closed with the others. */
  dedicated(name: string): Promise<Redis>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connects to REDIS_URL; without it, to a local Redis (startEmbeddedRedis). Operations fail fast
 * while Redis is down instead of queueing forever.
 */
export async function connectRedis(url: string | undefined, logger: Logger): Promise<RedisHandle> {
  let local: LocalService | undefined;
  if (!url) {
    local = await startEmbeddedRedis(logger);
    url = local.url;
  }
  const make = (name: string) =>
    new Redis(url!, {
      connectionName: `campus-live:${name}`,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: name === "subscriber",
      // Commands issued in the same tick go out in one write: under load, far fewer syscalls.
      enableAutoPipelining: name !== "subscriber",
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
  const client = make("client");
  const publisher = make("publisher");
  const subscriber = make("subscriber");
  let lastError: unknown;
  for (const [name, c] of [["client", client], ["publisher", publisher], ["subscriber", subscriber]] as const) {
    c.on("error", (err) => {
      lastError = err;
      logger.warn({ redis: name, err: firstLine(err) }, "redis error");
    });
  }
  try {
    await withTimeout(
      Promise.all([client.connect(), publisher.connect(), subscriber.connect()]),
      CONNECT_TIMEOUT_MS,
      "timed out",
    );
  } catch (e) {
    for (const c of [client, publisher, subscriber]) c.disconnect();
    await local?.stop();
    throw new Error(`Redis: cannot connect to REDIS_URL=${redactUrl(url)} (${firstLine(lastError ?? e)})`, {
      cause: e,
    });
  }
  logger.info({ redis: redactUrl(url) }, "redis connected");
  const extra: Redis[] = [];
  return {
    url,
    client,
    publisher,
    subscriber,
    async dedicated(name) {
      const c = make(name);
      c.on("error", (err) => logger.warn({ redis: name, err: firstLine(err) }, "redis error"));
      extra.push(c);
      await c.connect();
      return c;
    },
    async close() {
      await Promise.allSettled([client, publisher, subscriber, ...extra].map((c) => c.quit()));
      await local?.stop();
    },
  };
}

/**
 * Redis for a run with nothing configured (never in production: config.ts requires REDIS_URL there):
 *   1. the one another process of the data folder started (the seed uses the server's);
 *   2. the machine's own on 127.0.0.1:6379, when it answers PING;
 *   3. a private redis-server whose data (AOF) is kept in the data folder;
 *   else one line naming REDIS_URL.
 */
async function startEmbeddedRedis(logger: Logger): Promise<LocalService> {
  const dir = localDataDir();
  const running = await runningLocalService(dir, "redis", ["redis-server"]).catch(() => undefined);
  if (running) {
    logger.info({ redis: running, dataDir: dir }, "REDIS_URL not set: using the redis-server another process of this data folder runs");
    return { url: running, stop: async () => {} };
  }
  if (await answersPing(DEFAULT_REDIS.host, DEFAULT_REDIS.port)) {
    logger.info({ redis: DEFAULT_REDIS.url }, "REDIS_URL not set: using the Redis that answers on 127.0.0.1:6379");
    return { url: DEFAULT_REDIS.url, stop: async () => {} };
  }
  const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) {
    throw new Error(
      "Redis: REDIS_URL is not set, nothing answers on 127.0.0.1:6379 and no redis-server is installed to start one. " +
        "Set REDIS_URL=redis://host:6379 or install redis-server",
    );
  }
  const port = await freePort();
  const data = join(dir, "redis");
  mkdirSync(data, { recursive: true });
  let service: LocalService;
  try {
    service = await startLocalService({
      dir,
      name: "redis",
      command: "redis-server",
      // Kept as production's is (AOF), so a quiz answer or an enrollment not yet in MongoDB survives a restart.
      args: ["--port", String(port), "--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes", "--save", "", "--loglevel", "warning"],
      port,
      url: `redis://127.0.0.1:${port}`,
      readyMs: CONNECT_TIMEOUT_MS,
    });
  } catch (e) {
    throw new Error(`Redis: REDIS_URL is not set and the local redis-server could not start (${firstLine(e)}). Set REDIS_URL=redis://host:6379`, {
      cause: e,
    });
  }
  logger.info({ port, dataDir: data }, "REDIS_URL not set: started a local redis-server");
  return service;
}

const DEFAULT_REDIS = { host: "127.0.0.1", port: 6379, url: "redis://127.0.0.1:6379" };

/** Whether a Redis that needs no password answers PING on host:port within a second. */
function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => {
      reply += String(d);
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}
