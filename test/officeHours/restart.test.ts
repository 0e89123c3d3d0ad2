// Invite expiry survives the server: its Agenda job fires on time after the server that scheduled it
// stopped (SIGTERM) or died (SIGKILL) and another one started; the job is due at the expiry time and
// deleted once it ran or the invite was accepted. And a client that resubscribes gets the line as it is now.
import { JoinQueueDocument, MyQueueEntryChangedDocument, OfficeHoursQueueDocument, QueueChangedDocument } from "../../operations/generated";
import { MongoClient } from "mongodb";
import { gql, subscribe, wsClient } from "../support/client";
import { eventually } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { accept, callNext, join, officeHoursCourse, open, until } from "./setup";

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

/** The deadline jobs stored for this deployment's entries (their data names the entry). */
async function deadlineJobs(env: Record<string, string>, entryId: string) {
  const mongo = await MongoClient.connect(env.MONGO_URL);
  try {
    return await mongo.db().collection("agendaJobs").find({ "data.entryId": entryId }).toArray();
  } finally {
    await mongo.close();
  }
}

it("an invite's deadline is one Agenda job, due at its expiry time, and gone once it ran", async () => {
  const { env, server, c, student, invite } = await pendingInvite(2);
  const jobs = await deadlineJobs(env, invite.id);
  expect(jobs).toHaveLength(1);
  expect(jobs[0].nextRunAt.getTime()).toBe(Date.parse(invite.inviteExpiresAt!));

  const mine = subscribe(wsClient(server, student.token), MyQueueEntryChangedDocument, { courseId: c.id });
  const expired = (await until(mine.next, (v) => v.myQueueEntryChanged.status === "EXPIRED", 10_000)).myQueueEntryChanged;
  expect(Date.parse(expired.endedAt!)).toBeGreaterThanOrEqual(Date.parse(invite.inviteExpiresAt!));
  await eventually(async () => (await deadlineJobs(env, invite.id)).length, (n) => n === 0, 5_000);
  await server.stop();
}, 60_000);

it("an accepted invite's job is deleted, not left to run", async () => {
  const { env, server, student, invite } = await pendingInvite(120);
  expect(await deadlineJobs(env, invite.id)).toHaveLength(1);
  expect((await accept(server, student, invite.id)).data!.acceptInvite.status).toBe("IN_MEETING");
  await eventually(async () => (await deadlineJobs(env, invite.id)).length, (n) => n === 0, 5_000);
  await server.stop();
}, 60_000);
