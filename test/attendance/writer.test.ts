// The attendance log writers' claims on registers (CLAIM_WRITES / WRITTEN), against the real Redis
// of the test run: of several writers (one per instance) only one stores a register at a time, the
// others wait until MongoDB has it; a register being taken right now waits to settle unless forced;
// a claim lapses one lease after it was taken, also when its writer keeps retrying.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { AttendanceEngine, type WriteClaim } from "../../src/domain/attendance/engine";

const LEASE_MS = 400;
const SETTLE_MS = 1_500;

let redis: Redis;
let engine: AttendanceEngine;
let prefix: string;
const connections: Redis[] = [];

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL!);
});
beforeEach(() => {
  prefix = `t:${randomBytes(5).toString("hex")}:`;
  engine = new AttendanceEngine(redis, prefix, 7);
});
afterEach(async () => {
  connections.splice(0).forEach((c) => c.disconnect());
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
});
afterAll(() => redis.disconnect());

const GROUP = "0123456789abcdef01234567";
const TEACHER = "89abcdef0123456789abcdef";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A register as the register scripts leave it: `status` O or C, last changed at `changedAt`. */
async function register(id: string, version: number, status: "O" | "C", changedAt: number): Promise<void> {
  await redis.hset(`${engine.prefix}l:${id}`, {
    g: GROUP, s: "school", r: "Region", d: "2026-11-24", p: "1", st: status, v: version,
    ta: changedAt, tb: TEACHER, ua: changedAt, ub: TEACHER,
  });
}

const claim = async (writer: string, id: string, { force = false, via = engine } = {}): Promise<WriteClaim> =>
  (await via.claimWrites(writer, Date.now(), LEASE_MS, SETTLE_MS, [{ id, force }])).get(id)!;

it("of 20 writers on their own connections claiming one register at once, exactly one stores it; the others see it written once it is", async () => {
  await register("L1", 2, "C", Date.now() - 10);
  const writers = Array.from({ length: 20 }, (_, i) => {
    const connection = redis.duplicate();
    connections.push(connection);
    return { name: `w${i}`, engine: new AttendanceEngine(connection, prefix, 7) };
  });
  const claims = await Promise.all(writers.map((w) => claim(w.name, "L1", { via: w.engine })));
  const owners = writers.filter((_, i) => claims[i].status === "mine");
  expect(owners).toHaveLength(1);
  expect(claims.filter((c) => c.status === "busy")).toHaveLength(19);
  const mine = claims.find((c) => c.status === "mine") as Extract<WriteClaim, { status: "mine" }>;
  expect(mine.lesson).toMatchObject({ id: "L1", groupId: GROUP, status: "COMPLETED", version: 2 });
  expect(mine.stored).toBe(false);

  // Another writer noting what it stored does not release the owner's claim.
  await engine.markWritten("w-other", [["L1", 1]]);
  expect((await claim("w-late", "L1")).status).toBe("busy");

  await engine.markWritten(owners[0].name, [["L1", 2]]);
  expect((await claim("w-late", "L1")).status).toBe("written");
});

it("a register changed again after it was stored is claimed as stored (a replace, not an insert)", async () => {
  await register("L2", 2, "C", Date.now() - 10);
  expect((await claim("a", "L2")).status).toBe("mine");
  await engine.markWritten("a", [["L2", 2]]);
  await redis.hset(`${engine.prefix}l:L2`, "v", 3);
  expect(await claim("b", "L2")).toMatchObject({ status: "mine", stored: true, lesson: { version: 3 } });
});

it("an open register changed within the settle time waits, unless forced; a completed one does not", async () => {
  const now = Date.now();
  await register("open", 1, "O", now - 200);
  await register("quiet", 1, "O", now - SETTLE_MS - 1);
  await register("done", 2, "C", now - 200);
  expect((await claim("a", "open")).status).toBe("settling");
  expect((await claim("a", "quiet")).status).toBe("mine");
  expect((await claim("a", "done")).status).toBe("mine");
  expect((await claim("a", "open", { force: true })).status).toBe("mine");
});

it("a dead writer's claim lapses after its lease; a register Redis no longer holds is gone", async () => {
  await register("L3", 1, "C", Date.now() - 10);
  expect((await claim("dead", "L3")).status).toBe("mine");
  expect((await claim("alive", "L3")).status).toBe("busy");
  await sleep(LEASE_MS + 50);
  expect((await claim("alive", "L3")).status).toBe("mine");
  expect((await claim("alive", "nothing")).status).toBe("gone");
});

it("a writer that keeps retrying (MongoDB unreachable from it) does not extend its claim past the lease", async () => {
  await register("L4", 1, "C", Date.now() - 10);
  expect((await claim("stuck", "L4")).status).toBe("mine");
  await sleep(LEASE_MS / 2);
  expect((await claim("stuck", "L4")).status).toBe("mine"); // its retry: still its own, not renewed
  expect((await claim("other", "L4")).status).toBe("busy");
  await sleep(LEASE_MS / 2 + 50);
  expect((await claim("other", "L4")).status).toBe("mine");
});
