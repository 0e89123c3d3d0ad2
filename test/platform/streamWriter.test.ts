// The shared log writer (src/platform/streamWriter.ts) against the real Redis of the test run: an
// entry a live writer holds back (its `apply` returned it, e.g. a register still settling or another
// writer's) is not idle, so no other writer claims it after claimIdleMs and writes it too; the
// holder acknowledges it once written.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createLogger } from "../../src/platform/logger";
import { StreamWriter, type StreamEntry } from "../../src/platform/streamWriter";

const CLAIM_IDLE_MS = 300;
const HOLD_MS = 2_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: Redis;
const writers: { writer: StreamWriter; connection: Redis }[] = [];

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL!);
});
afterEach(async () => {
  await Promise.all(writers.splice(0).map(async ({ writer, connection }) => {
    await writer.stop();
    connection.disconnect();
  }));
});
afterAll(() => redis.disconnect());

async function startWriter(key: string, apply: (entries: StreamEntry[]) => Promise<StreamEntry[] | void>): Promise<void> {
  const connection = redis.duplicate();
  const writer = new StreamWriter(connection, createLogger("silent"), { key, name: "test", batch: 100, flushMs: 100, claimIdleMs: CLAIM_IDLE_MS, apply });
  await writer.start();
  writers.push({ writer, connection });
}

it("an entry a live writer holds back is not claimed by another writer after claimIdleMs, and is acknowledged once written", async () => {
  const key = `t:${randomBytes(5).toString("hex")}:log`;
  const heldBy: string[] = [];
  const seenByOther: string[] = [];
  let heldSince = 0;
  await startWriter(key, async (entries) => {
    heldBy.push(...entries.map((e) => e.n));
    if (!heldSince) heldSince = Date.now();
    return Date.now() - heldSince < HOLD_MS ? entries.filter((e) => e.n === "held") : [];
  });
  await redis.xadd(key, "*", "n", "held");
  for (let i = 0; i < 50 && !heldBy.includes("held"); i++) await sleep(20);
  await startWriter(key, async (entries) => {
    seenByOther.push(...entries.map((e) => e.n));
  });
  await redis.xadd(key, "*", "n", "other");
  await sleep(HOLD_MS + 1_500); // the second writer's maintenance runs every second

  expect(heldBy.filter((n) => n === "held").length).toBeGreaterThan(5); // offered again batch after batch
  expect(seenByOther).not.toContain("held");
  const [pending] = (await redis.xpending(key, "mongo-writer")) as [number];
  expect(pending).toBe(0);
  await redis.del(key);
});

it("stop() writes what the log still holds: entries added during the last batch, and one held back once", async () => {
  const key = `t:${randomBytes(5).toString("hex")}:log`;
  const applied: string[] = [];
  const offered = new Map<string, number>();
  const connection = redis.duplicate();
  const writer = new StreamWriter(connection, createLogger("silent"), {
    key, name: "test", batch: 100, flushMs: 20, claimIdleMs: 60_000,
    apply: async (entries) => {
      for (const e of entries) offered.set(e.n, (offered.get(e.n) ?? 0) + 1);
      await sleep(300); // a slow write: the server stops while it is under way
      const held = entries.filter((e) => e.n === "held" && offered.get(e.n) === 1);
      applied.push(...entries.filter((e) => !held.includes(e)).map((e) => e.n));
      return held;
    },
  });
  await writer.start();
  await redis.xadd(key, "*", "n", "held");
  await redis.xadd(key, "*", "n", "first");
  for (let i = 0; i < 50 && !offered.has("first"); i++) await sleep(10);
  await redis.xadd(key, "*", "n", "late"); // acknowledged to its client while the batch is written
  await writer.stop();
  connection.disconnect();

  expect(applied.sort()).toEqual(["first", "held", "late"]);
  const [pending] = (await redis.xpending(key, "mongo-writer")) as [number];
  expect(pending).toBe(0);
  await redis.del(key);
});
