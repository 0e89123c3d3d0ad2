// An instance that dies between an entry's write and its line's write leaves the two disagreeing.
// The database is edited here to stand in for such a crash; the next change that touches the entry
// finds out (its conditional write misses, or its unique key is taken), rebuilds the line from the
// entries, and says so; every view then shows the entries as stored. A line reaches MongoDB behind
// its change (lineWriter.ts), so the tests wait for that write before standing in for a crash.
import { Redis } from "ioredis";
import { MongoClient, ObjectId } from "mongodb";
import { OfficeHoursQueueDocument, QueueChangedDocument } from "../../operations/generated";
import { decodeLine, encodeLine } from "../../src/models/officeHours";
import { gql, subscribe, wsClient } from "../support/client";
import { eventually } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { callNext, join, officeHoursCourse, open, until } from "./setup";

let server: TestServer;
let mongo: MongoClient;
let redis: Redis;

beforeAll(async () => {
  const env = deploymentEnv();
  server = await startServer(env);
  mongo = await MongoClient.connect(env.MONGO_URL);
  redis = new Redis(env.REDIS_URL);
});
afterAll(async () => {
  await mongo?.close();
  redis?.disconnect();
  await stopAll();
});

const errorOf = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => ({ code: r.errors?.[0]?.extensions?.code, reason: r.errors?.[0]?.extensions?.reason });
const lines = () => mongo.db().collection("officehours");
const entries = () => mongo.db().collection("queueentries");
const cacheKey = (courseId: string) => `${server.env.REDIS_PREFIX}office-hours:doc:${courseId}`;
/** MongoDB's line once the write behind the course's last change has reached it (it holds the cache's version, unmarked). */
const written = async (courseId: string) => {
  const read = async () => ({ doc: (await lines().findOne({ _id: new ObjectId(courseId) }))!, cached: await redis.hmget(cacheKey(courseId), "v", "saving") });
  return (await eventually(read, ({ doc, cached }) => doc.version === Number(cached[0]) && cached[1] === "0")).doc;
};

it("a join stored without its line: joining again says ALREADY_IN_QUEUE and the line shows the entry", async () => {
  const c = await officeHoursCourse(server, 2);
  const [ann, bob] = c.students;
  const joined = (await join(server, ann, c.id)).data!.joinQueue;
  await join(server, bob, c.id);
  // The crash: Ann's entry was written, the line was not.
  const doc = await written(c.id);
  const line = decodeLine(doc.line).filter((e) => e._id.toHexString() !== joined.id);
  expect(line).toHaveLength(1);
  await lines().updateOne({ _id: doc._id }, { $set: { line: encodeLine(line) } });
  // After such a crash the cached copy (lineCache.ts) holds the line MongoDB holds.
  await redis.del(`${server.env.REDIS_PREFIX}office-hours:doc:${c.id}`);
  expect((await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue.waitingCount).toBe(1);

  const dashboard = subscribe(wsClient(server, c.ta.token), QueueChangedDocument, { courseId: c.id });
  const first = (await dashboard.next()).queueChanged;
  expect(first.waitingCount).toBe(1);

  expect(errorOf(await join(server, ann, c.id))).toEqual({ code: "CONFLICT", reason: "ALREADY_IN_QUEUE" });
  const repaired = (await until(dashboard.next, (v) => v.queueChanged.version > first.version)).queueChanged;
  expect(repaired.entries!.map((e) => e.id)).toEqual([joined.id, expect.any(String)]);
  expect(repaired.waitingCount).toBe(2);
  const queue = (await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue;
  expect(queue.entries!.map((e) => [e.id, e.status])).toEqual([[joined.id, "WAITING"], [expect.any(String), "WAITING"]]);
}, 60_000);

it("an invite stored without its line: the next call says LINE_REPAIRED, then the line shows the invite and the staff member busy", async () => {
  const c = await officeHoursCourse(server, 2);
  const [ann] = c.students;
  const joined = (await join(server, ann, c.id)).data!.joinQueue;
  await join(server, c.students[1], c.id);
  await open(server, c.ta, c.id);
  // The crash: Ann's entry became INVITED (by the TA), the line still says WAITING.
  const now = new Date();
  await entries().updateOne(
    { _id: new ObjectId(joined.id) },
    {
      $set: { status: "INVITED", staff: new ObjectId(c.ta.id), staffKey: c.ta.id, invitedAt: now, inviteExpiresAt: new Date(now.getTime() + 300_000), meetingLink: "x" },
      $inc: { invites: 1 },
    },
  );

  expect(errorOf(await callNext(server, c.ta, c.id))).toEqual({ code: "SERVICE_UNAVAILABLE", reason: "LINE_REPAIRED" });
  const queue = (await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue;
  expect(queue.entries!.map((e) => [e.id, e.status])).toEqual([[joined.id, "INVITED"], [expect.any(String), "WAITING"]]);
  expect(queue.status.staffOnDuty).toEqual([expect.objectContaining({ state: "INVITING" })]);
  // The line is whole again: the TA holds an invite, so the next call is refused for that reason.
  expect(errorOf(await callNext(server, c.ta, c.id))).toEqual({ code: "CONFLICT", reason: "INVITE_PENDING" });
}, 60_000);

it("a marked cached copy older than MongoDB's (Redis lost a later write) is not used: the next change reads MongoDB", async () => {
  const c = await officeHoursCourse(server, 2);
  const [ann, bob] = c.students;
  const key = cacheKey(c.id);
  await open(server, c.ta, c.id);
  const before = await redis.hgetall(key);
  expect(Number(before.v)).toBeGreaterThan(0);
  const beforeDoc = await redis.hgetBuffer(key, "doc");
  const joined = (await join(server, ann, c.id)).data!.joinQueue;
  await written(c.id);
  // Ann's join reached MongoDB; the cache holds the line before it, marked as being saved.
  await redis.hset(key, "v", before.v, "doc", beforeDoc!, "saving", "1");

  expect((await join(server, bob, c.id)).data!.joinQueue.position).toBe(2);
  expect((await callNext(server, c.ta, c.id)).data!.callNext!.id).toBe(joined.id); // Ann first: her join was not lost
}, 60_000);

it("a mark left by a writer that died after writing MongoDB is cleared by the next read, which finds the same version there", async () => {
  const c = await officeHoursCourse(server, 1);
  const key = cacheKey(c.id);
  await open(server, c.ta, c.id);
  await written(c.id);
  await redis.hset(key, "saving", "1"); // the crash: MongoDB written, the mark never cleared
  expect((await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue.status.open).toBe(true);
  expect(await redis.hget(key, "saving")).toBe("0");
}, 60_000);

it("a change published whose line never reached MongoDB (its writer died between Redis and MongoDB): viewers see it, the next change writes it there", async () => {
  const c = await officeHoursCourse(server, 2);
  const [ann, bob] = c.students;
  const key = cacheKey(c.id);
  await open(server, c.ta, c.id);
  const before = await written(c.id);
  const joined = (await join(server, ann, c.id)).data!.joinQueue;
  await written(c.id);
  // The crash: Ann's entry is written and her join is in Redis and published; MongoDB's line is the one before.
  await lines().replaceOne({ _id: before._id }, before);
  await redis.hset(key, "saving", "1");
  const version = Number(await redis.hget(key, "v"));
  expect(version).toBe(before.version + 1);

  const queue = (await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue;
  expect(queue.entries!.map((e) => e.id)).toEqual([joined.id]);
  expect(queue.version).toBe(version);
  expect(await redis.hget(key, "saving")).toBe("1"); // a viewer never writes

  expect((await join(server, bob, c.id)).data!.joinQueue.position).toBe(2);
  const stored = await written(c.id);
  expect(stored.version).toBe(version + 1);
  expect(decodeLine(stored.line).map((e) => e.student.toHexString())).toEqual([ann.id, bob.id]);
  expect((await callNext(server, c.ta, c.id)).data!.callNext!.id).toBe(joined.id);
}, 60_000);

it("lines are written to MongoDB behind their changes: after 30 joins at once MongoDB holds the last version, the whole line", async () => {
  const c = await officeHoursCourse(server, 30);
  await open(server, c.ta, c.id);
  const joins = await Promise.all(c.students.map((s) => join(server, s, c.id)));
  expect(joins.every((r) => r.data?.joinQueue)).toBe(true);
  const queue = (await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue;
  const stored = await written(c.id);
  expect(stored.version).toBe(queue.version);
  expect(decodeLine(stored.line).map((e) => e._id.toHexString())).toEqual(queue.entries!.map((e) => e.id));
  expect(queue.entries).toHaveLength(30);
}, 60_000);

it("a change of the line alone (going on duty) is in MongoDB when it is answered: only the line records it", async () => {
  const c = await officeHoursCourse(server, 1);
  await join(server, c.students[0], c.id); // an entry's change: its line follows behind
  expect((await open(server, c.ta, c.id)).data!.openOfficeHours.open).toBe(true);
  const stored = (await lines().findOne({ _id: new ObjectId(c.id) }))!;
  expect(stored.onDuty.map((d: { staff: ObjectId }) => d.staff.toHexString())).toEqual([c.ta.id]);
  expect(stored.version).toBe(Number(await redis.hget(cacheKey(c.id), "v")));
  expect(decodeLine(stored.line)).toHaveLength(1); // written with it: the join before
}, 60_000);

it("an instance killed before its line reached MongoDB, and Redis losing its copy: the line is rebuilt from the entries, past every version published", async () => {
  const env = deploymentEnv();
  const first = await startServer(env);
  const c = await officeHoursCourse(first, 2);
  await open(first, c.ta, c.id); // written before it is answered
  const dashboard = subscribe(wsClient(first, c.ta.token), QueueChangedDocument, { courseId: c.id });
  const before = (await dashboard.next()).queueChanged;
  const joined = (await join(first, c.students[0], c.id)).data!.joinQueue;
  const published = (await until(dashboard.next, (v) => v.queueChanged.version > before.version)).queueChanged;
  // The crash: the join's line was still waiting for its write (1 s behind), and Redis loses the copy.
  await first.kill();
  await redis.del(`${env.REDIS_PREFIX}office-hours:doc:${c.id}`);

  const second = await startServer(env);
  const queue = (await gql(second, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue;
  expect(queue.entries!.map((e) => e.id)).toEqual([joined.id]);
  expect(queue.version).toBeGreaterThan(published.version);
  expect((await join(second, c.students[1], c.id)).data!.joinQueue.position).toBe(2);
  await second.stop();
}, 60_000);
