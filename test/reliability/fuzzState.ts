// What the fuzz run checks the server kept: every MongoDB collection and Redis key (hashed, to compare
// before and after), its heap after a full GC, and that it still serves HTTP and a subscription.
import { createHash } from "node:crypto";
import { BSON } from "mongodb";
import WebSocket from "ws";
import { CourseSeatsChangedDocument, CoursesDocument } from "../../operations/generated";
import { gql, subscribe, wsClient } from "../support/client";
import type { TestServer } from "../support/server";
import { json } from "./fuzzCases";
import type { Fuzz } from "./fuzzSupport";

/** Every MongoDB collection and every Redis key of the deployment, hashed (rate-limit counters and locks are not data). */
async function snapshot({ server, mongo, redis }: Fuzz): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  const db = mongo.db();
  for (const { name } of await db.listCollections().toArray()) {
    if (/^agenda/i.test(name)) continue; // the scheduler's own bookkeeping (lastRunAt of recurring jobs)
    const docs = await db.collection(name).find().sort({ _id: 1 }).toArray();
    state.set(`mongo:${name}`, `${docs.length}:${createHash("sha1").update(BSON.EJSON.stringify(docs)).digest("hex")}`);
  }
  const prefix = server.env.REDIS_PREFIX;
  let cursor = "0";
  do {
    const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = nextCursor;
    for (const key of keys) {
      const short = key.slice(prefix.length);
      if (VOLATILE_KEYS.test(short)) continue;
      const type = await redis.type(key);
      let value: unknown;
      if (type === "string") value = await redis.get(key);
      else if (type === "hash") value = Object.entries(await redis.hgetall(key)).sort();
      else if (type === "set") value = (await redis.smembers(key)).sort();
      else if (type === "zset") value = await redis.zrange(key, 0, -1, "WITHSCORES");
      else if (type === "list") value = await redis.lrange(key, 0, -1);
      else if (type === "stream") value = await redis.xlen(key);
      else continue; // gone between SCAN and TYPE
      state.set(`redis:${short}`, createHash("sha1").update(json(value)).digest("hex"));
    }
  } while (cursor !== "0");
  return state;
}
/** Rate-limit counters (rejected log-ins count, on purpose) and locks. */
const VOLATILE_KEYS = /^(rl|lock):/;

/** Entries of the durable logs (enrollment, quiz, attendance) not yet in MongoDB, from /metrics. */
async function logBacklog(server: TestServer): Promise<number> {
  const text = await (await fetch(server.metricsUrl)).text();
  return [...text.matchAll(/^\w+_log_backlog (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

/** The state once every log is written (a register being taken waits up to 10 s) and nothing moves for 1.5 s. */
export async function settledSnapshot(f: Fuzz): Promise<Map<string, string>> {
  let previous: Map<string, string> | null = null;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((res) => setTimeout(res, 1500))) {
    if ((await logBacklog(f.server)) > 0) {
      previous = null;
      continue;
    }
    const now = await snapshot(f);
    if (previous && diff(previous, now).length === 0) return now;
    previous = now;
  }
  throw new Error("state never settled");
}

export const diff = (a: Map<string, string>, b: Map<string, string>) =>
  [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? "(none)"} -> ${b.get(k) ?? "(none)"}`);

/** Full GC through the inspector, then the heap and RSS as /metrics reports them. */
export async function memoryAfterGc(server: TestServer): Promise<{ heapMb: number; rssMb: number; lagMaxMs: number }> {
  const url = server.logs.join("").match(/Debugger listening on (ws:\/\/\S+)/)?.[1];
  if (!url) throw new Error("no inspector URL in the server's output");
  const inspector = new WebSocket(url);
  await new Promise((res, rej) => inspector.once("open", res).once("error", rej));
  for (let id = 1; id <= 2; id++) {
    await new Promise<void>((res) => {
      inspector.on("message", function onMessage(data) {
        if ((JSON.parse(String(data)) as { id?: number }).id === id) {
          inspector.off("message", onMessage);
          res();
        }
      });
      inspector.send(json({ id, method: "HeapProfiler.collectGarbage" }));
    });
  }
  inspector.close();
  const text = await (await fetch(server.metricsUrl)).text();
  const metric = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1] ?? NaN) / 1_048_576;
  return { heapMb: metric("nodejs_heap_size_used_bytes"), rssMb: metric("process_resident_memory_bytes"), lagMaxMs: metric("nodejs_eventloop_lag_max_seconds") * 1_048_576 * 1000 };
}

export async function stillServing({ server, world, pool }: Fuzz): Promise<void> {
  const health = await pool.request({ path: "/healthz", method: "GET" });
  expect(health.statusCode).toBe(200);
  await health.body.dump();
  const ready = await pool.request({ path: "/readyz", method: "GET" });
  expect(ready.statusCode).toBe(200);
  await ready.body.dump();
  const courses = await gql(server, CoursesDocument, { first: 10 }, world.tokens.student);
  expect(courses.errors ?? []).toEqual([]);
  expect(courses.data!.courses.edges.length).toBeGreaterThan(0);
  const client = wsClient(server, world.tokens.student);
  const seats = subscribe(client, CourseSeatsChangedDocument, { courseId: world.courseId });
  expect((await seats.next(10_000)).courseSeatsChanged.courseId).toBe(world.courseId);
  seats.unsubscribe();
  await client.dispose();
}
