// Named mutexes in Redis (redis-semaphore), shared by every instance. They serialize the changes of
// one aggregate (an office-hours line, held in Redis and written to MongoDB behind) so that its rules
// are checked and applied as one step: no database transaction spans the line and its entries.
import type { Redis } from "ioredis";
import { Mutex } from "redis-semaphore";
import { AppError, fail } from "./errors";
import type { Logger } from "./logger";

export interface LockOptions {
  /** A holder that dies keeps the lock at most this long (refreshed while the holder lives). */
  lockTimeoutMs: number;
  /** How long a caller waits for a busy lock before giving up with SERVICE_UNAVAILABLE. */
  acquireTimeoutMs: number;
}

/**
 * The lock is refreshed every third of its timeout, so a holder slowed down by a busy machine keeps
 * it (with 10 s, refreshed at 8 s, changes that took ~9 s at load average 16 could outlive their
 * lock, and two changes of one line could then interleave). A holder that died blocks its
 * aggregate at most this long.
 */
const DEFAULTS: LockOptions = { lockTimeoutMs: 30_000, acquireTimeoutMs: 5_000 };

/** The holder's view of its lock: `check()` throws once the lock was lost (before anything is committed). */
export interface HeldLock {
  check(): void;
}

export class Locks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly options: LockOptions = DEFAULTS,
  ) {}

  /** Runs `work` while holding the lock `name`; releases it whatever happens. */
  async withLock<T>(name: string, work: (held: HeldLock) => Promise<T>): Promise<T> {
    let lost = false;
    const mutex = new Mutex(this.redis, `${this.prefix}lock:${name}`, {
      lockTimeout: this.options.lockTimeoutMs,
      acquireTimeout: this.options.acquireTimeoutMs,
      refreshInterval: Math.floor(this.options.lockTimeoutMs / 3),
      retryInterval: 5,
      onLockLost: (err) => {
        lost = true;
        this.logger.error({ err, lock: name }, "lock lost while held");
      },
    });
    try {
      await mutex.acquire();
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw fail("SERVICE_UNAVAILABLE", "This is busy or unavailable right now, try again", "LOCK_UNAVAILABLE");
    }
    const held: HeldLock = {
      check: () => {
        if (lost || !mutex.isAcquired) throw fail("SERVICE_UNAVAILABLE", "This is busy or unavailable right now, try again", "LOCK_LOST");
      },
    };
    try {
      return await work(held);
    } finally {
      await mutex.release().catch((err) => this.logger.warn({ err, lock: name }, "lock release failed (it expires by itself)"));
    }
  }
}
