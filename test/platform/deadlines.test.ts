// The Redis deadline set (src/platform/deadlines.ts) against the real Redis of the test run: each
// deadline runs once, on time, on whichever of several instances polls first; a failed handler is
// retried; a slow or dead instance's claim is offered again when its lease ends; a cancelled deadline
// never runs.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { RedisDeadlines, type DeadlineOptions } from "../../src/platform/deadlines";
import { createLogger } from "../../src/platform/logger";

const logger = createLogger("silent");
const OPTIONS: DeadlineOptions = { pollMs: 20, leaseMs: 5_000, retryMs: 200, maxInFlight: 64 };

let redis: Redis;
let key: string;
const running: { deadlines: RedisDeadlines; connection: Redis }[] = [];

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL!);
});
beforeEach(() => {
  key = `t:${randomBytes(5).toString("hex")}:deadlines`;
});
afterEach(async () => {
  await Promise.all(running.splice(0).map(async (r) => {
    await r.deadlines.stop();
    r.connection.disconnect();
  }));
  await redis.del(key);
});
afterAll(() => redis.disconnect());

function instance(handle: (member: string) => Promise<void>, options: Partial<DeadlineOptions> = {}): RedisDeadlines {
  const connection = redis.duplicate();
  const deadlines = new RedisDeadlines(connection, key, logger, { ...OPTIONS, ...options });
  deadlines.start(handle);
  running.push({ deadlines, connection });
  return deadlines;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out");
    await sleep(10);
  }
}

it("runs 500 deadlines due together once each, across two instances, within 500 ms of their time, then forgets them", async () => {
  const ran = new Map<string, number[]>();
  const record = async (member: string) => {
    ran.set(member, [...(ran.get(member) ?? []), Date.now()]);
    await sleep(5); // some work, so the two instances' claims overlap in time
  };
  const adder = new RedisDeadlines(redis, key, logger, OPTIONS);
  const at = new Date(Date.now() + 300);
  await Promise.all(Array.from({ length: 500 }, (_, i) => adder.add(`d${i}`, at)));
  instance(record);
  instance(record);
  await waitFor(() => ran.size === 500, 5_000);
  await sleep(200); // any second run would show now

  expect([...ran.values()].filter((times) => times.length !== 1)).toEqual([]);
  const lateness = [...ran.values()].map(([t]) => t - at.getTime()).sort((x, y) => x - y);
  expect(lateness[0]).toBeGreaterThanOrEqual(0);
  expect(lateness.at(-1)!).toBeLessThan(500);
  expect(await redis.zcard(key)).toBe(0);
});

it("retries a deadline whose handler failed", async () => {
  const attempts: number[] = [];
  const d = instance(async () => {
    attempts.push(Date.now());
    if (attempts.length === 1) throw new Error("MongoDB briefly down");
  });
  await d.add("flaky", new Date());
  await waitFor(() => attempts.length === 2, 3_000);
  expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(OPTIONS.retryMs - 20);
  await sleep(100);
  expect(attempts).toHaveLength(2);
  expect(await redis.zcard(key)).toBe(0);
});

it("offers a claim again when its lease ends before its handler finished (the instance is stuck or died)", async () => {
  const seen: string[] = [];
  const stuck = instance(
    async () => {
      seen.push("stuck");
      await sleep(1_500);
    },
    { leaseMs: 300, maxInFlight: 1 }, // busy with this one: it claims nothing more meanwhile
  );
  await stuck.add("d", new Date());
  await waitFor(() => seen.length === 1, 2_000);
  instance(async () => {
    seen.push("other");
  });
  await waitFor(() => seen.length === 2, 2_000);
  expect(seen).toEqual(["stuck", "other"]);
});

it("never runs a deadline removed before its time", async () => {
  const ran: string[] = [];
  const d = instance(async (m) => {
    ran.push(m);
  });
  await d.add("cancelled", new Date(Date.now() + 200));
  await d.add("kept", new Date(Date.now() + 200));
  await d.remove("cancelled");
  await waitFor(() => ran.length === 1, 2_000);
  await sleep(200);
  expect(ran).toEqual(["kept"]);
});
