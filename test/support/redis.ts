import { Redis } from "ioredis";

/** How many connections are subscribed to a deployment's pub/sub topic in Redis now. */
export async function subscriberCount(env: Record<string, string>, topic: string): Promise<number> {
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    const [, n] = (await redis.pubsub("NUMSUB", `${env.REDIS_PREFIX}${topic}`)) as [string, number];
    return Number(n);
  } finally {
    redis.disconnect();
  }
}

/**
 * Waits until `count` connections are subscribed to a deployment's pub/sub topic in Redis, so a test
 * publishes only after the subscription it watches is really in place.
 */
export async function waitForSubscribers(
  env: Record<string, string>,
  topic: string,
  count = 1,
  timeoutMs = 5000,
): Promise<void> {
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    const channel = `${env.REDIS_PREFIX}${topic}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [, n] = (await redis.pubsub("NUMSUB", channel)) as [string, number];
      if (Number(n) >= count) return;
      if (Date.now() > deadline) throw new Error(`${channel}: ${n} subscribers after ${timeoutMs} ms, wanted ${count}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    redis.disconnect();
  }
}
