import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import type { Logger } from "./logger";
import { firstLine, freePort, redactUrl, waitForPort, withTimeout } from "./util";

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
 * Connects to REDIS_URL; without it, starts a private `redis-server` on a free port (kept in memory,
 * stopped with the process). Operations fail fast while Redis is down instead of queueing forever.
 */
export async function connectRedis(url: string | undefined, logger: Logger): Promise<RedisHandle> {
  let child: ChildProcess | undefined;
  if (!url) {
    const started = await startEmbeddedRedis(logger);
    url = started.url;
    child = started.child;
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
    child?.kill();
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
      child?.kill("SIGTERM");
    },
  };
}

async function startEmbeddedRedis(logger: Logger): Promise<{ url: string; child: ChildProcess }> {
  const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) {
    throw new Error(
      "Redis: REDIS_URL is not set and no redis-server is installed to start one. " +
        "Set REDIS_URL=redis://host:6379 or install redis-server",
    );
  }
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    { stdio: "ignore" },
  );
  child.unref();
  await waitForPort(port);
  process.once("exit", () => child.kill());
  logger.info({ port }, "REDIS_URL not set: started embedded redis-server");
  return { url: `redis://127.0.0.1:${port}`, child };
}

