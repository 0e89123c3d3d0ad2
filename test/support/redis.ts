import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/** How many connections are subscribed to a deployment's pub/sub topic in Redis now. */
export async function subscriberCount(env: Record<string, string>, topic: string, redis?: Redis): Promise<number> {
  const client = redis ?? new Redis(env.REDIS_URL);
  try {
    const [, n] = (await client.pubsub("NUMSUB", `${env.REDIS_PREFIX}${topic}`)) as [string, number];
    return Number(n);
  } finally {
    if (!redis) client.disconnect();
  }
}

/** Polls the subscriber count of a topic until `want` holds; throws after `timeoutMs`. */
export async function waitForSubscriberCount(
  env: Record<string, string>,
  topic: string,
  want: (n: number) => boolean,
  timeoutMs = 5000,
  redis?: Redis,
): Promise<number> {
  const client = redis ?? new Redis(env.REDIS_URL);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = await subscriberCount(env, topic, client);
      if (want(n)) return n;
      if (Date.now() > deadline) throw new Error(`${env.REDIS_PREFIX}${topic}: still ${n} subscribers after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    if (!redis) client.disconnect();
  }
}

/**
 * Waits until `count` connections are subscribed to a deployment's pub/sub topic in Redis, so a test
 * publishes only after the subscription it watches is really in place.
 */
export async function waitForSubscribers(env: Record<string, string>, topic: string, count = 1, timeoutMs = 5000): Promise<void> {
  await waitForSubscriberCount(env, topic, (n) => n >= count, timeoutMs);
}

/**
 * A Redis connection and a key prefix of its own for one test file's scripts; after the file's tests
 * its keys are deleted and the connection closed.
 */
export function scratchRedis(): { redis: Redis; prefix: string } {
  const redis = new Redis(process.env.REDIS_URL!);
  const prefix = `t:${randomBytes(5).toString("hex")}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  return { redis, prefix };
}

/** A stream entry's or a hash's flat [field, value, ...] reply as an object. */
export const pairs = (raw: string[]): Record<string, string> => Object.fromEntries(raw.flatMap((v, i) => (i % 2 ? [] : [[v, raw[i + 1]]])));
