// Rate limits kept in Redis, so each limit holds across every instance; a counter's key is a digest
// of what it counts by, never the caller's input itself.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { fail } from "./errors";

/**
 * A fixed-window limiter kept in Redis, so the limit holds across every server instance.
 * Throws RATE_LIMITED (with retryAfterSeconds) when exceeded, SERVICE_UNAVAILABLE when Redis is down.
 *
 * Keys are stored as their SHA-256 digest: whatever a caller counts by (an e-mail, an address, both),
 * each counter is one fixed-size Redis key, so a client cannot make the server store its input.
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
      await this.limiter.consume(digest(key));
    } catch (e) {
      throw limiterError(e, message);
    }
  }

  /** Fails when the key is already over its limit, without spending a point. */
  async check(key: string, message = "Too many attempts, try again later"): Promise<void> {
    const used = await this.used(key, message);
    if (used.res && used.points >= this.limiter.points) throw limiterError(used.res, message);
  }

  /** Points spent in the current window (0 when none). */
  async spent(key: string): Promise<number> {
    return (await this.used(key)).points;
  }

  /** Spends a point without refusing anything (a counter, not a gate). Best effort: Redis errors are ignored. */
  async penalize(key: string): Promise<void> {
    await this.limiter.penalty(digest(key), 1).catch(() => undefined);
  }

  /** Gives back a point spent by `consume` (an attempt that turned out not to count). Best effort. */
  async refund(key: string): Promise<void> {
    await this.limiter.reward(digest(key), 1).catch(() => undefined);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(digest(key)).catch(() => undefined);
  }

  private async used(key: string, message?: string): Promise<{ points: number; res: RateLimiterRes | null }> {
    try {
      const res = await this.limiter.get(digest(key));
      return { points: res?.consumedPoints ?? 0, res };
    } catch (e) {
      throw limiterError(e, message ?? "Too many attempts, try again later");
    }
  }
}

const digest = (key: string) => createHash("sha256").update(key).digest("base64url");

function limiterError(e: unknown, message: string) {
  if (e instanceof RateLimiterRes) {
    return fail("RATE_LIMITED", message, "RATE_LIMITED", {
      retryAfterSeconds: Math.ceil(e.msBeforeNext / 1000),
    });
  }
  return fail("SERVICE_UNAVAILABLE", "Rate limiter unavailable", "REDIS_UNAVAILABLE");
}
