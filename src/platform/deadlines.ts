// Deadlines in a Redis sorted set (score: when each is due, in ms), claimed by whichever instance
// polls first: punctual to the poll interval on any number of instances, at one Redis command per
// poll. A claim is a lease: the claimed member's score moves to the end of the lease, so a deadline
// whose handler failed, or whose instance died while handling it, is offered again when the lease
// runs out. A member leaves the set when its handler succeeded, or when it is cancelled.
//
// Redis may lose the set (it keeps nothing on disk here): whoever uses this keeps a durable record
// of each deadline as well (the office-hours deadlines: an Agenda job, see src/domain/officeHours/deadlines.ts).
import type { Redis } from "ioredis";
import type { Logger } from "./logger";
import { luaScript, RedisScript } from "./luaScript";
import { firstLine } from "./text";

/** KEYS[1]: the set. ARGV: now, how many, lease end. Returns the members due, now leased. */
const CLAIM = new RedisScript(luaScript(__dirname, "claimDeadlines.lua"), 1);

export interface DeadlineOptions {
  /** How often the set is polled: the lateness a deadline may have on an idle server. */
  pollMs: number;
  /** A claimed deadline is offered again after this long if its handler has not finished. */
  leaseMs: number;
  /** A deadline whose handler failed is offered again after this long. */
  retryMs: number;
  /** Handlers running at once in this process (more due deadlines wait in the set). */
  maxInFlight: number;
}

const DEFAULTS: DeadlineOptions = { pollMs: 100, leaseMs: 30_000, retryMs: 1_000, maxInFlight: 64 };

export class RedisDeadlines {
  private timer: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<void>>();
  private stopped = true;
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly logger: Logger,
    private readonly options: DeadlineOptions = DEFAULTS,
  ) {}

  async add(member: string, at: Date): Promise<void> {
    await this.redis.zadd(this.key, at.getTime(), member);
  }

  async remove(member: string): Promise<void> {
    await this.redis.zrem(this.key, member);
  }

  /** Polls until `stop()`, running `handle` for each deadline that comes due. */
  start(handle: (member: string) => Promise<void>): void {
    this.stopped = false;
    const poll = async () => {
      const room = this.options.maxInFlight - this.running.size;
      if (room > 0) {
        const now = Date.now();
        const due = await CLAIM.run<string[]>(this.redis, this.key, now, room, now + this.options.leaseMs).then(
          (claimed) => {
            if (this.failing) this.logger.info("deadline poll works again");
            this.failing = false;
            return claimed;
          },
          (err) => {
            // Once per outage, not ten times a second.
            if (!this.failing) this.logger.warn({ err: firstLine(err) }, "deadline poll failed (retried every poll)");
            this.failing = true;
            return [] as string[];
          },
        );
        for (const member of due) this.run(member, handle);
      }
      if (!this.stopped) this.timer = setTimeout(() => void poll(), this.options.pollMs);
    };
    void poll();
  }

  /** Stops polling and waits for the handlers running now. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.running]);
  }

  private run(member: string, handle: (member: string) => Promise<void>): void {
    const done = handle(member)
      .then(
        () => this.remove(member),
        async (err) => {
          this.logger.error({ err, member }, "deadline failed, retried soon");
          await this.redis.zadd(this.key, "XX", Date.now() + this.options.retryMs, member);
        },
      )
      .catch((err) => this.logger.warn({ err: firstLine(err), member }, "deadline left leased (offered again when the lease ends)"))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }
}
