// Invite expiry survives the server: it fires on time after the server that scheduled it stopped
// (SIGTERM) or died (SIGKILL) and another one started; by its Agenda job when Redis lost the deadline;
// by the periodic sweep when neither was stored. And a client that resubscribes gets the line as it is now.
import { JoinQueueDocument, MyQueueEntryChangedDocument, OfficeHoursQueueDocument, QueueChangedDocument } from "../../operations/generated";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { AGENDA_GRACE_MS } from "../../src/domain/officeHours/deadlines";
import { gql, subscribe, wsClient } from "../support/client";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { callNext, join, officeHoursCourse, open, until } from "./setup";

afterAll(stopAll);

/** Long enough for a stop and a start on a busy machine. */
const TTL_SECONDS = 15;

/** A server and a course whose only student has just been invited. */
async function pendingInvite(ttlSeconds: number) {
  const env = deploymentEnv({ INVITE_TTL_SECONDS: String(ttlSeconds) });
  const server = await startServer(env);
  const c = await officeHoursCourse(server, 1);
  const [student] = c.students;
  await join(server, student, c.id);
  await open(server, c.ta, c.id);
  const invite = (await callNext(server, c.ta, c.id)).data!.callNext!;
  return { env, server, c, student, invite };
}

it.each(["SIGTERM", "SIGKILL"] as const)("an invite pending when the server gets %s still expires within 2 s of its time", async (signal) => {
  const { env, server: first, c, student, invite } = await pendingInvite(TTL_SECONDS);
  const expiresAt = Date.parse(invite.inviteExpiresAt!);

  if (signal === "SIGTERM") expect(await first.stop()).toBe(0);
  else await first.kill();
  const second: TestServer = await startServer(env);
  expect(Date.now()).toBeLessThan(expiresAt); // the new instance starts before the deadline

  const mine = subscribe(wsClient(second, student.token), MyQueueEntryChangedDocument, { courseId: c.id });
  expect((await mine.next()).myQueueEntryChanged).toMatchObject({ id: invite.id, status: "INVITED" });
  const expired = (await until(mine.next, (v) => v.myQueueEntryChanged.status === "EXPIRED", TTL_SECONDS * 1000 + 5000)).myQueueEntryChanged;
  const receivedLate = Date.now() - expiresAt;
  expect(Date.parse(expired.endedAt!) - expiresAt).toBeGreaterThanOrEqual(0);
  expect(receivedLate).toBeLessThan(2000);
  await second.stop();
}, 60_000);

it("a client that resubscribes gets the current line first, never a stale one", async () => {
  const server = await startServer(deploymentEnv({ INVITE_TTL_SECONDS: "120" }));
  const c = await officeHoursCourse(server, 4);
  await open(server, c.ta, c.id);
  await join(server, c.students[0], c.id);

  const client = wsClient(server, c.ta.token);
  const before = subscribe(client, QueueChangedDocument, { courseId: c.id });
  const seen = (await before.next()).queueChanged;
  expect(seen).toMatchObject({ waitingCount: 1 });
  await client.dispose(); // the dashboard goes offline...

  // ...while the line moves on.
  for (const s of c.students.slice(1)) await gql(server, JoinQueueDocument, { courseId: c.id, question: "q" }, s.token);
  await callNext(server, c.ta, c.id);

  const again = subscribe(wsClient(server, c.ta.token), QueueChangedDocument, { courseId: c.id });
  const now = (await again.next()).queueChanged;
  const queried = (await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue;
  expect(now.version).toBeGreaterThan(seen.version);
  expect(now).toEqual(queried);
  expect(now).toMatchObject({ waitingCount: 3, invitedCount: 1 });
  expect(now.entries!.map((e) => [e.student!.id, e.status])).toEqual([
    [c.students[0].id, "INVITED"],
    [c.students[1].id, "WAITING"],
    [c.students[2].id, "WAITING"],
    [c.students[3].id, "WAITING"],
  ]);
}, 60_000);

/**
 * An invite with a 1 s TTL whose deadline loses its member of the Redis set and/or its Agenda job:
 * how late after its expiry time it ended (as the student's subscription shows it).
 */
async function lateAfterLosing(what: { redis: boolean; agenda: boolean }): Promise<number> {
  const { env, server, c, student, invite } = await pendingInvite(1);
  if (what.redis) {
    const redis = new Redis(env.REDIS_URL);
    try {
      const key = `${env.REDIS_PREFIX}office-hours:deadlines`;
      const members = (await redis.zrange(key, 0, -1)).filter((m) => m.includes(invite.id));
      expect(members).toHaveLength(1);
      expect(await redis.zrem(key, ...members)).toBe(1);
    } finally {
      redis.disconnect();
    }
  }
  if (what.agenda) {
    const mongo = await MongoClient.connect(env.MONGO_URL);
    try {
      const removed = await mongo.db().collection("agendaJobs").deleteMany({ "data.entryId": invite.id });
      expect(removed.deletedCount).toBe(1);
    } finally {
      await mongo.close();
    }
  }
  const mine = subscribe(wsClient(server, student.token), MyQueueEntryChangedDocument, { courseId: c.id });
  const expired = (await until(mine.next, (v) => v.myQueueEntryChanged.status === "EXPIRED", 25_000)).myQueueEntryChanged;
  expect(expired.id).toBe(invite.id);
  await server.stop();
  return Date.parse(expired.endedAt!) - Date.parse(invite.inviteExpiresAt!);
}

it("an invite whose deadline Redis lost (it keeps nothing on disk) is still ended, by its Agenda job a grace period later", async () => {
  const late = await lateAfterLosing({ redis: true, agenda: false });
  expect(late).toBeGreaterThanOrEqual(AGENDA_GRACE_MS); // not by the Redis set, which no longer held it
  expect(late).toBeLessThan(AGENDA_GRACE_MS + 10_000);
}, 60_000);

it("an invite whose deadline was never stored (the instance died first) still expires, by the periodic sweep", async () => {
  expect(await lateAfterLosing({ redis: true, agenda: true })).toBeLessThan(17_000);
}, 60_000);
