// The office-hours flow as a student and staff live it, with a 2 s invite TTL: join, open, call,
// invite pushed to the student, accept, end; and an invite left unanswered expires (by the job),
// the staff member is told and may call the next, a late accept gets INVITE_EXPIRED.
import {
  DomainEventsDocument,
  MyQueueEntryChangedDocument,
  MyQueueEntryDocument,
  OfficeHoursStatusChangedDocument,
  OfficeHoursStatsDocument,
  QueueChangedDocument,
} from "../../operations/generated";
import { MongoClient } from "mongodb";
import { errorOf, gql, subscribe, wsClient } from "../support/client";
import { eventually, logInAdmin, type TestUser } from "../support/factories";
import { waitForSubscribers } from "../support/redis";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { accept, callNext, endMeeting, join, officeHoursCourse, open, setPolicy, until, type OfficeHoursCourse } from "./setup";

const TTL_SECONDS = 2;
let server: TestServer;
let admin: TestUser;
let mongo: MongoClient;
beforeAll(async () => {
  server = await startServer(deploymentEnv({ INVITE_TTL_SECONDS: String(TTL_SECONDS) }));
  admin = await logInAdmin(server);
  mongo = await MongoClient.connect(server.env.MONGO_URL);
});
afterAll(async () => {
  await mongo.close();
  await stopAll();
});

/** Agenda jobs still stored for an entry's deadlines. */
const deadlineJobs = (entryId: string) => mongo.db().collection("agendaJobs").countDocuments({ "data.entryId": entryId });

describe("a meeting from joining to its end", () => {
  let c: OfficeHoursCourse;
  beforeAll(async () => {
    c = await officeHoursCourse(server, 2);
  });

  it("join, open, call, invite pushed to the student, accept in time, end: every transition on the audit feed", async () => {
    const [ann, bob] = c.students;
    const audit = subscribe(wsClient(server, admin.token), DomainEventsDocument, {});
    const status = subscribe(wsClient(server, c.ta.token), OfficeHoursStatusChangedDocument, { courseId: c.id });
    expect((await status.next()).officeHoursStatusChanged).toMatchObject({ open: false, staffOnDuty: [] });
    await waitForSubscribers(server.env, "events");

    const joined = await join(server, ann, c.id, "Why does my proof of lemma 2 fail?");
    expect(joined.data!.joinQueue).toMatchObject({ status: "WAITING", position: 1, estimatedWait: null, question: "Why does my proof of lemma 2 fail?" });
    // Subscribing shows the entry as it stands first.
    const mine = subscribe(wsClient(server, ann.token), MyQueueEntryChangedDocument, { courseId: c.id });
    expect((await mine.next()).myQueueEntryChanged).toMatchObject({ id: joined.data!.joinQueue.id, status: "WAITING", position: 1 });
    expect((await join(server, bob, c.id)).data!.joinQueue.position).toBe(2);

    const opened = await open(server, c.ta, c.id, "https://meet.example.edu/ta-room");
    expect(opened.data!.openOfficeHours).toMatchObject({ open: true, staffOnDuty: [{ staff: { id: c.ta.id }, state: "AVAILABLE" }] });
    // With someone on duty, the waiting student gets an estimate (no meetings yet: 5 minutes each).
    expect((await until(mine.next, (v) => v.myQueueEntryChanged.estimatedWait !== null)).myQueueEntryChanged.estimatedWait).toEqual({
      minSeconds: 0,
      maxSeconds: 300,
      staffOnDuty: 1,
      basedOnMeetings: 0,
    });

    const called = await callNext(server, c.ta, c.id);
    const entry = called.data!.callNext!;
    expect(entry).toMatchObject({ status: "INVITED", student: { id: ann.id }, invitedBy: { id: c.ta.id }, meetingLink: "https://meet.example.edu/ta-room" });
    expect(Date.parse(entry.inviteExpiresAt!) - Date.parse(entry.invitedAt!)).toBe(TTL_SECONDS * 1000);
    const invite = (await until(mine.next, (v) => v.myQueueEntryChanged.status === "INVITED")).myQueueEntryChanged;
    expect(invite).toMatchObject({ id: entry.id, meetingLink: "https://meet.example.edu/ta-room", inviteExpiresAt: entry.inviteExpiresAt });
    expect((await until(status.next, (v) => v.officeHoursStatusChanged.staffOnDuty[0]?.state === "INVITING")).officeHoursStatusChanged.staffOnDuty[0].entryId).toBe(entry.id);

    const accepted = await accept(server, ann, entry.id);
    expect(accepted.data!.acceptInvite).toMatchObject({ status: "IN_MEETING" });
    expect((await until(mine.next, (v) => v.myQueueEntryChanged.status === "IN_MEETING")).myQueueEntryChanged.meetingStartedAt).toBeTruthy();
    // Accepted before the TTL: the expiry job was cancelled (its Agenda job deleted) and nothing expires afterwards.
    await new Promise((r) => setTimeout(r, TTL_SECONDS * 1000 + 1500));
    expect(await deadlineJobs(entry.id)).toBe(0);
    const ended = await endMeeting(server, c.ta, entry.id);
    expect(ended.data!.endMeeting).toMatchObject({ status: "DONE", position: null });
    expect((await until(mine.next, (v) => v.myQueueEntryChanged.status === "DONE")).myQueueEntryChanged.endedAt).toBeTruthy();

    const history = (await gql(server, MyQueueEntryDocument, { courseId: c.id }, ann.token)).data!.myQueueEntry!.history;
    expect(history.map((h) => [h.status, h.actor?.id ?? null])).toEqual([
      ["WAITING", ann.id],
      ["INVITED", c.ta.id],
      ["IN_MEETING", ann.id],
      ["DONE", c.ta.id],
    ]);
    const names = (await until(audit.next, (v) => v.domainEvents.name === "MeetingEnded")) && audit.received.map((e) => e.domainEvents.name);
    expect(names.filter((n) => n !== "UserSignedUp")).toEqual(["QueueJoined", "QueueJoined", "OfficeHoursOpened", "StudentInvited", "InviteAccepted", "MeetingEnded"]);
    expect(audit.received.find((e) => e.domainEvents.name === "StudentInvited")!.domainEvents.actor).toEqual({ userId: c.ta.id, role: "INSTRUCTOR" });
    // Bob moved up when Ann was invited.
    expect((await gql(server, MyQueueEntryDocument, { courseId: c.id }, bob.token)).data!.myQueueEntry).toMatchObject({ status: "WAITING", position: 1 });
  });

  it("an unanswered invite expires by the server's job: the student and the staff are told, the next call is allowed, a late accept is refused", async () => {
    const [, bob] = c.students;
    const mine = subscribe(wsClient(server, bob.token), MyQueueEntryChangedDocument, { courseId: c.id });
    const line = subscribe(wsClient(server, c.ta.token), QueueChangedDocument, { courseId: c.id });
    expect((await mine.next()).myQueueEntryChanged).toMatchObject({ status: "WAITING", position: 1 });
    expect((await line.next()).queueChanged).toMatchObject({ waitingCount: 1, entries: [{ student: { id: bob.id } }] });

    const entry = (await callNext(server, c.ta, c.id)).data!.callNext!;
    expect(entry.student!.id).toBe(bob.id);
    expect(await deadlineJobs(entry.id)).toBe(1); // scheduled at invite time
    expect(errorOf(await callNext(server, c.ta, c.id))).toEqual({ code: "CONFLICT", reason: "INVITE_PENDING" });

    const expired = (await until(mine.next, (v) => v.myQueueEntryChanged.status === "EXPIRED", 10_000)).myQueueEntryChanged;
    const lateness = Date.parse(expired.endedAt!) - Date.parse(entry.inviteExpiresAt!);
    expect(lateness).toBeGreaterThanOrEqual(0);
    expect(lateness).toBeLessThan(2000);
    // The staff's dashboard shows them free again, and the line empty.
    const after = (await until(line.next, (v) => v.queueChanged.status.staffOnDuty[0]?.state === "AVAILABLE")).queueChanged;
    expect(after).toMatchObject({ waitingCount: 0, invitedCount: 0, entries: [] });

    // Ended by the Redis deadline: its Agenda job (the backstop, due later) is deleted, never run.
    expect(await eventually(() => deadlineJobs(entry.id), (n) => n === 0, 3000)).toBe(0);
    expect(errorOf(await accept(server, bob, entry.id))).toEqual({ code: "CONFLICT", reason: "INVITE_EXPIRED" });
    expect((await callNext(server, c.ta, c.id)).data!.callNext).toBeNull(); // allowed again; nobody waits
    // The scheduler's lateness is on /metrics.
    const metrics = await (await fetch(server.metricsUrl)).text();
    expect(Number(/job_lag_seconds_count\{job="office-hours:entry-deadline"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it("REQUEUE_ONCE puts an expired student back at the front once, then drops them", async () => {
    const [ann, bob] = c.students;
    await setPolicy(server, c.ta, c.id, { expiredInvite: "REQUEUE_ONCE" });
    // Ann's cooldown is 0: she may join again right after her meeting.
    await join(server, bob, c.id);
    await join(server, ann, c.id);
    const mine = subscribe(wsClient(server, bob.token), MyQueueEntryChangedDocument, { courseId: c.id });
    expect((await mine.next()).myQueueEntryChanged).toMatchObject({ status: "WAITING", position: 1 });

    const first = (await callNext(server, c.ta, c.id)).data!.callNext!;
    expect(first.student!.id).toBe(bob.id);
    const back = (await until(mine.next, (v) => v.myQueueEntryChanged.status === "WAITING" && v.myQueueEntryChanged.requeued, 10_000)).myQueueEntryChanged;
    expect(back).toMatchObject({ id: first.id, position: 1 }); // in front of Ann
    expect(errorOf(await accept(server, bob, first.id))).toEqual({ code: "CONFLICT", reason: "INVITE_EXPIRED" });

    const second = (await callNext(server, c.ta, c.id)).data!.callNext!;
    expect(second).toMatchObject({ id: first.id, status: "INVITED" });
    expect((await until(mine.next, (v) => v.myQueueEntryChanged.status === "EXPIRED", 10_000)).myQueueEntryChanged.id).toBe(first.id);
    expect((await callNext(server, c.ta, c.id)).data!.callNext!.student!.id).toBe(ann.id);

    const stats = await gql(
      server,
      OfficeHoursStatsDocument,
      { courseId: c.id, from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
      c.owner.token,
    );
    expect(stats.data!.officeHoursStats).toMatchObject({ joined: 4, helped: 1, expired: 2, invites: 5, noShows: 3, noShowRate: 0.6 });
    expect(stats.data!.officeHoursStats.perStaff).toEqual([
      expect.objectContaining({ staff: { id: c.ta.id }, invites: 5, meetings: 1, noShows: 3 }),
    ]);
  });
});
