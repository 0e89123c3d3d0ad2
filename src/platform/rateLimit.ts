import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { fail } from "./errors";

/**
 * A fixed-window limiter kept in Redis, so the limit holds across every server instance.
 * Throws RATE_LIMITED (with retryAfterSeconds) when exceeded, SERVICE_UNAVAILABLE when Redis is down.
 */
export class RedisLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, keyPrefix: string, points: number, windowSeconds: number) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix,
      points,
      duration: windowSeconds,
      useRedisPackage: false,
    });
  }

  async consume(key: string, message = "Too many attempts, try again later"): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (e) {
      throw limiterError(e, message);
    }
  }

  /** Fails when the key is already over its limit, without spending a point. */
  async check(key: string, message = "Too many attempts, try again later"): Promise<void> {
    let res: RateLimiterRes | null;
    try {
      res = await this.limiter.get(key);
    } catch (e) {
      throw limiterError(e, message);
    }
    if (res && res.consumedPoints >= this.limiter.points) throw limiterError(res, message);
  }

  async penalize(key: string): Promise<void> {
    await this.limiter.penalty(key, 1).catch(() => undefined);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key).catch(() => undefined);
  }
}

function limiterError(e: unknown, message: string) {
  if (e instanceof RateLimiterRes) {
    return fail("RATE_LIMITED", message, "RATE_LIMITED", {
      retryAfterSeconds: Math.ceil(e.msBeforeNext / 1000),
    });
  }
  return fail("SERVICE_UNAVAILABLE", "Rate limiter unavailable", "REDIS_UNAVAILABLE");
}
