// The office-hours line store (src/domain/officeHours/lineStore.ts) on its own, against the test run's
// Redis and MongoDB-compatible server: several stores stand for several instances. MongoDB is reached
// through a TCP relay that a test can cut, to make it unreachable for a while.
import { randomBytes } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { MongoClient, ObjectId, type Db } from "mongodb";
import mongoose, { Types } from "mongoose";
import pino from "pino";
import { OfficeHoursCache } from "../../src/domain/officeHours/lineCache";
import { LineStore, type LineStoreOptions } from "../../src/domain/officeHours/lineStore";
import { EventBus } from "../../src/events/bus";
import { topics, type DomainEvent } from "../../src/events/catalogue";
import { decodeLine, type OfficeHoursDoc, type QueueEntryDoc } from "../../src/models/officeHours";
import { buildIndexes } from "../../src/platform/collections";
import { fail } from "../../src/platform/errors";
import { Locks } from "../../src/platform/locks";
import { SERVER_SELECTION_TIMEOUT_MS } from "../../src/platform/mongo";
import { RedisPubSubAdapter } from "../../src/platform/pubsub";
import { eventually } from "../support/factories";
import { waitForSubscriberCount } from "../support/redis";

const env = { REDIS_URL: process.env.REDIS_URL!, REDIS_PREFIX: `t:${randomBytes(5).toString("hex")}:` };
const dbName = `t_${randomBytes(5).toString("hex")}`;
/** What the stores logged at warn and above. */
const logs: { level: string; msg: string; courseId?: string; version?: number }[] = [];
const logger = pino({ level: "warn", formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => void logs.push(JSON.parse(line)) });

let relay: Relay;
let client: MongoClient;
let db: Db;
let redis: Redis;
let bus: EventBus;
const stores: LineStore[] = [];
const connections: Redis[] = [];

beforeAll(async () => {
  const target = new URL(process.env.MONGO_URL!);
  relay = await startRelay(target.hostname, Number(target.port));
  const viaRelay = new URL(target);
  viaRelay.port = String(relay.port);
  viaRelay.pathname = `/${dbName}`;
  mongoose.set("autoIndex", false);
  // As the server connects (src/platform/mongo.ts): an unreachable MongoDB fails an operation after 1 s.
  for (let attempt = 1; ; attempt++) {
    try {
      await mongoose.connect(viaRelay.toString(), { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS });
      break;
    } catch (e) {
      if (attempt === 10) throw e;
    }
  }
  await buildIndexes(mongoose.connection);
  client = await MongoClient.connect(process.env.MONGO_URL!);
  db = client.db(dbName);
  redis = new Redis(env.REDIS_URL);
  const subscriber = new Redis(env.REDIS_URL);
  connections.push(redis, subscriber);
  bus = new EventBus(new RedisPubSubAdapter(redis, subscriber, env.REDIS_PREFIX), logger);
});
afterEach(async () => {
  relay.restore();
  await Promise.all(stores.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
  await mongoose.disconnect();
  await relay?.close();
  for (const c of connections) c.disconnect();
});

/** A store as one instance has it: its own Redis connection, lock and cache. */
function instance(options: LineStoreOptions = {}): LineStore {
  const connection = redis.duplicate();
  connections.push(connection);
  const store = new LineStore(
    {
      locks: new Locks(connection, env.REDIS_PREFIX, logger),
      cache: new OfficeHoursCache(connection, env.REDIS_PREFIX),
      events: bus,
      clock: Date.now,
      logger,
    },
    options,
  );
  stores.push(store);
  return store;
}

const taken = () => fail("CONFLICT", "already in line", "ALREADY_IN_QUEUE");

/** A student joins: a new WAITING entry written through the store, then the line takes it. */
function join(store: LineStore, course: Types.ObjectId) {
  return store.change(course, null, async (oh, now) => {
    const _id = new Types.ObjectId();
    const student = new Types.ObjectId();
    const sortKey = Math.max(now, oh.lastSortKey + 1);
    const entry = waiting(_id, course, student, sortKey, oh.version + 1);
    await store.addEntry(entry, taken());
    return { event: "QueueJoined", entry, officeHours: { lastSortKey: sortKey } };
  });
}

/** A change of the line alone (a staff member going on duty): MongoDB has it when it returns. */
function goOnDuty(store: LineStore, course: Types.ObjectId) {
  return store.change(course, null, async (oh, now) => ({
    event: "OfficeHoursOpened",
    officeHours: { onDuty: [...oh.onDuty, { staff: new Types.ObjectId(), since: new Date(now), meetingLink: "https://meet.example/x" }] },
  }));
}

function waiting(_id: Types.ObjectId, course: Types.ObjectId, student: Types.ObjectId, sortKey: number, lineVersion: number): QueueEntryDoc {
  const at = new Date();
  const id = _id.toHexString();
  return {
    _id,
    course,
    student,
    question: "help",
    status: "WAITING",
    sortKey,
    joinedAt: at,
    waitingSince: at,
    staff: null,
    meetingLink: null,
    invitedAt: null,
    inviteExpiresAt: null,
    waitEndsAt: null,
    meetingStartedAt: null,
    endedAt: null,
    requeued: false,
    invites: 0,
    activeIn: course.toHexString(),
    inviteJob: null,
    waitJob: null,
    activeKey: `${course.toHexString()}:${student.toHexString()}`,
    staffKey: id,
    history: [{ status: "WAITING", at, actor: student, note: null }],
    lineVersion,
  };
}

const cacheKey = (course: Types.ObjectId) => `${env.REDIS_PREFIX}office-hours:doc:${course.toHexString()}`;
/** The cached copy: its version and whether it is marked as not yet in MongoDB. */
const cached = async (course: Types.ObjectId) => {
  const [v, saving] = await redis.hmget(cacheKey(course), "v", "saving");
  return { version: v === null ? null : Number(v), saving };
};
/** MongoDB's copy, read directly (not through the relay). */
const stored = async (course: Types.ObjectId) => {
  const doc = await db.collection("officehours").findOne({ _id: new ObjectId(course.toHexString()) });
  return doc && { version: doc.version as number, line: decodeLine(doc.line).map((e) => e._id.toHexString()) };
};
const ids = (oh: OfficeHoursDoc) => oh.line.map((e) => e._id.toHexString());

/** The course's line events as they arrive (once subscribed). */
async function follow(course: Types.ObjectId): Promise<{ seen: DomainEvent[]; stop: () => Promise<void> }> {
  const seen: DomainEvent[] = [];
  const topic = topics.officeHours(course.toHexString());
  const stop = bus.follow(topic, "test", (e) => void seen.push(e));
  await waitForSubscriberCount(env, topic, (n) => n >= 1, 5000, redis);
  return { seen, stop };
}
const versionOf = (e: DomainEvent) => (e.payload as { queue: { version: number } }).queue.version;

it("concurrent changes from three instances are applied one at a time: every join kept, versions and events in order", async () => {
  const [a, b, c] = [instance(), instance(), instance()];
  const course = new Types.ObjectId();
  const start = await goOnDuty(a, course);
  const events = await follow(course);
  const joins = await Promise.all(Array.from({ length: 24 }, (_, i) => join([a, b, c][i % 3], course)));

  const versions = joins.map((j) => j.queue.version).sort((x, y) => x - y);
  expect(versions).toEqual(Array.from({ length: 24 }, (_, i) => start.queue.version + 1 + i));
  const line = await b.read(course);
  expect(line.version).toBe(start.queue.version + 24);
  expect(new Set(ids(line))).toEqual(new Set(joins.map((j) => j.entry!.entryId)));
  // The line is in join order: each join saw the one before it.
  expect(line.line.map((e) => e.sortKey)).toEqual([...line.line.map((e) => e.sortKey)].sort((x, y) => x - y));
  await eventually(async () => events.seen.length, (n) => n === 24);
  expect(events.seen.map(versionOf)).toEqual(versions);
  await events.stop();
  // MongoDB ends with the last version, the whole line, and the copy unmarked.
  expect(await eventually(() => stored(course), (s) => s?.version === line.version)).toEqual({ version: line.version, line: ids(line) });
  expect(await eventually(() => cached(course), (s) => s.saving === "0")).toEqual({ version: line.version, saving: "0" });
}, 60_000);

it("a line missing from Redis is read back from MongoDB and cached again", async () => {
  const store = instance({ writeDelayMs: 0 });
  const course = new Types.ObjectId();
  await goOnDuty(store, course);
  const joined = await join(store, course);
  await eventually(() => cached(course), (s) => s.saving === "0");
  await redis.del(cacheKey(course));

  const line = await instance().read(course);
  expect(line.version).toBe(joined.queue.version);
  expect(ids(line)).toEqual([joined.entry!.entryId]);
  expect(await cached(course)).toEqual({ version: joined.queue.version, saving: "0" });
}, 30_000);

it("a line missing from Redis whose MongoDB copy lacks its entries' last changes is rebuilt from them, past every version published", async () => {
  const dead = instance({ writeDelayMs: 60_000 }); // its writes behind never happen while it counts
  const course = new Types.ObjectId();
  const opened = await goOnDuty(dead, course);
  const first = await join(dead, course);
  const second = await join(dead, course);
  expect((await stored(course))!.version).toBe(opened.queue.version);
  await redis.del(cacheKey(course));

  const line = await instance().read(course);
  expect(line.version).toBe(second.queue.version + 1);
  expect(ids(line)).toEqual([first.entry!.entryId, second.entry!.entryId]);
  expect(await stored(course)).toEqual({ version: line.version, line: ids(line) });
}, 30_000);

it("a write behind that fails while MongoDB is unreachable is tried again until MongoDB has the line", async () => {
  const store = instance({ writeDelayMs: 200, retryFirstMs: 200 });
  const course = new Types.ObjectId();
  await goOnDuty(store, course);
  const joined = await join(store, course);
  relay.cut();
  const retries = () => logs.filter((l) => l.courseId === course.toHexString() && l.version === joined.queue.version && /retrying/.test(l.msg));
  await eventually(async () => retries().length, (n) => n >= 2);
  expect(await cached(course)).toEqual({ version: joined.queue.version, saving: "1" });
  expect((await stored(course))!.version).toBe(joined.queue.version - 1);

  relay.restore();
  expect(await eventually(() => stored(course), (s) => s?.version === joined.queue.version)).toEqual({ version: joined.queue.version, line: [joined.entry!.entryId] });
  expect(await eventually(() => cached(course), (s) => s.saving === "0")).toEqual({ version: joined.queue.version, saving: "0" });
}, 30_000);

it("a line whose writer died before MongoDB: viewers read it without writing, and the next change, even one that changes nothing, writes it", async () => {
  const dead = instance({ writeDelayMs: 60_000 });
  const course = new Types.ObjectId();
  const opened = await goOnDuty(dead, course);
  const joined = await join(dead, course);

  const other = instance({ writeDelayMs: 0 });
  expect(ids(await other.read(course))).toEqual([joined.entry!.entryId]);
  await new Promise((r) => setTimeout(r, 300));
  expect((await stored(course))!.version).toBe(opened.queue.version);
  expect((await cached(course)).saving).toBe("1");

  const unchanged = await other.change(course, null, async () => ({ entry: null }));
  expect(unchanged.queue.version).toBe(joined.queue.version);
  expect(await eventually(() => stored(course), (s) => s?.version === joined.queue.version)).toEqual({ version: joined.queue.version, line: [joined.entry!.entryId] });
}, 30_000);

it("an entry not in the state its line says: the change fails with LINE_REPAIRED, and the line is rebuilt from the entries and published", async () => {
  const store = instance();
  const course = new Types.ObjectId();
  await goOnDuty(store, course);
  const ann = await join(store, course);
  const bob = await join(store, course);
  // An instance died between Ann's entry becoming INVITED and its line's write.
  await db.collection("queueentries").updateOne({ _id: new ObjectId(ann.entry!.entryId) }, { $set: { status: "INVITED" }, $inc: { invites: 1 } });
  const events = await follow(course);

  const call = store.change(course, null, async (oh, now) => {
    const next = oh.line.find((e) => e.status === "WAITING")!;
    const invited = await store.stepEntry(oh.version + 1, next, "INVITED", new Date(now), null, null, { invites: next.invites + 1 });
    return { event: "StudentInvited", entry: invited };
  });
  await expect(call).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "LINE_REPAIRED" });

  const line = await store.read(course);
  expect(line.version).toBe(bob.queue.version + 1);
  expect(line.line.map((e) => [e._id.toHexString(), e.status])).toEqual([[ann.entry!.entryId, "INVITED"], [bob.entry!.entryId, "WAITING"]]);
  await eventually(async () => events.seen.length, (n) => n === 1);
  expect(events.seen.map((e) => [e.name, versionOf(e)])).toEqual([["OfficeHoursLineRepaired", line.version]]);
  await events.stop();
}, 30_000);

it("an entry active in MongoDB but missing from its line: adding it again fails as the rule says, and the line is rebuilt with it", async () => {
  const store = instance();
  const course = new Types.ObjectId();
  await goOnDuty(store, course);
  const student = new Types.ObjectId();
  // The entry of a join whose line was never stored.
  const lost = waiting(new Types.ObjectId(), course, student, Date.now(), 99);
  await db.collection("queueentries").insertOne(lost);

  const again = store.change(course, null, async (oh, now) => {
    const entry = waiting(new Types.ObjectId(), course, student, now, oh.version + 1);
    await store.addEntry(entry, taken());
    return { event: "QueueJoined", entry };
  });
  await expect(again).rejects.toMatchObject({ code: "CONFLICT", reason: "ALREADY_IN_QUEUE" });
  expect(ids(await store.read(course))).toEqual([lost._id.toHexString()]);
}, 30_000);

it("a holder whose line moved on meanwhile cannot overwrite it: its change fails and publishes nothing", async () => {
  const store = instance();
  const course = new Types.ObjectId();
  const opened = await goOnDuty(store, course);
  const events = await follow(course);

  const late = store.change(course, null, async (oh) => {
    // Another holder (this one lost its lock) stores the next version first.
    expect(await new OfficeHoursCache(redis, env.REDIS_PREFIX).advance(oh.version, { ...oh, onDuty: [], version: oh.version + 1 })).toBe(true);
    return { event: "OfficeHoursClosed", officeHours: { onDuty: [] } };
  });
  await expect(late).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "LOCK_UNAVAILABLE" });
  await new Promise((r) => setTimeout(r, 200));
  expect(events.seen).toEqual([]);
  expect(await cached(course)).toEqual({ version: opened.queue.version + 1, saving: "1" });
  await events.stop();
}, 30_000);

interface Relay {
  port: number;
  /** MongoDB unreachable: open connections dropped, new ones refused. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP relay to host:port on a port of its own. */
async function startRelay(host: string, port: number): Promise<Relay> {
  const open = new Set<Socket>();
  let up = true;
  const server: Server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = createConnection({ host, port });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("error", () => undefined);
      s.once("close", () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      up = false;
      for (const s of open) s.destroy();
    },
    restore() {
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
