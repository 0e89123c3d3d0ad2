// Every reason of SPEC 4.3 produced by a request, the per-course policies, the schedule, and who may
// see and do what (students, staff of another course, OBSERVER, anonymous callers).
import {
  CloseOfficeHoursDocument,
  CancelOfficeHoursWindowDocument,
  LeaveQueueDocument,
  MyQueueEntryChangedDocument,
  OfficeHoursQueueDocument,
  OfficeHoursScheduleDocument,
  OfficeHoursStatsDocument,
  QueueChangedDocument,
  RemoveFromQueueDocument,
  ScheduleOfficeHoursDocument,
  SetOfficeHoursPolicyDocument,
} from "../../operations/generated";
import { errorOf, gql, subscribe, wsClient } from "../support/client";
import { accountWithRole, createCourse, logInAdmin, signUp, type TestUser } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { accept, callNext, endMeeting, join, officeHoursCourse, open, setPolicy, until, type OfficeHoursCourse } from "./setup";

let server: TestServer;
let c: OfficeHoursCourse;
beforeAll(async () => {
  server = await startServer(deploymentEnv({ INVITE_TTL_SECONDS: "60" }));
  c = await officeHoursCourse(server, 8);
});
afterAll(stopAll);

const range = () => ({ from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 3600_000).toISOString() });

describe("reasons", () => {
  it("NOT_ENROLLED: only enrolled students join (and see the line)", async () => {
    const outsider = await signUp(server, "STUDENT");
    expect(errorOf(await join(server, outsider, c.id))).toEqual({ code: "FORBIDDEN", reason: "NOT_ENROLLED" });
    expect(errorOf(await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, outsider.token))).toEqual({ code: "FORBIDDEN", reason: "NOT_ENROLLED" });
  });

  it("ALREADY_IN_QUEUE: one active entry per student and course, also under 20 parallel joins", async () => {
    const s = c.students[0];
    const results = await Promise.all(Array.from({ length: 20 }, () => join(server, s, c.id)));
    expect(results.filter((r) => r.data?.joinQueue.status === "WAITING")).toHaveLength(1);
    expect(results.filter((r) => errorOf(r).reason === "ALREADY_IN_QUEUE")).toHaveLength(19);
    expect((await gql(server, LeaveQueueDocument, { courseId: c.id }, s.token)).data!.leaveQueue.status).toBe("WITHDRAWN");
    expect(errorOf(await gql(server, LeaveQueueDocument, { courseId: c.id }, s.token))).toEqual({ code: "NOT_FOUND", reason: "NOT_IN_QUEUE" });
  });

  it("OFFICE_HOURS_CLOSED, INVITE_PENDING, NOT_INVITED, MEETING_IN_PROGRESS, COOLDOWN", async () => {
    const [a, b] = c.students.slice(1, 3);
    await setPolicy(server, c.owner, c.id, { cooldownMinutes: 30 });
    const entryA = (await join(server, a, c.id)).data!.joinQueue;
    const entryB = (await join(server, b, c.id)).data!.joinQueue;
    expect(errorOf(await callNext(server, c.ta, c.id))).toEqual({ code: "CONFLICT", reason: "OFFICE_HOURS_CLOSED" });
    await open(server, c.ta, c.id);
    expect(errorOf(await accept(server, a, entryA.id))).toEqual({ code: "CONFLICT", reason: "NOT_INVITED" });
    expect((await callNext(server, c.ta, c.id)).data!.callNext!.id).toBe(entryA.id);
    expect(errorOf(await callNext(server, c.ta, c.id))).toEqual({ code: "CONFLICT", reason: "INVITE_PENDING" });
    expect(errorOf(await accept(server, a, entryB.id))).toEqual({ code: "NOT_FOUND", reason: "ENTRY_NOT_FOUND" }); // not hers
    await accept(server, a, entryA.id);
    expect(errorOf(await callNext(server, c.ta, c.id))).toEqual({ code: "CONFLICT", reason: "MEETING_IN_PROGRESS" });
    expect(errorOf(await gql(server, LeaveQueueDocument, { courseId: c.id }, a.token))).toEqual({ code: "CONFLICT", reason: "MEETING_IN_PROGRESS" });
    await endMeeting(server, c.ta, entryA.id);
    expect(errorOf(await endMeeting(server, c.ta, entryA.id))).toEqual({ code: "CONFLICT", reason: "NOT_IN_MEETING" });
    const cooldown = await join(server, a, c.id);
    expect(errorOf(cooldown)).toEqual({ code: "CONFLICT", reason: "COOLDOWN" });
    expect(Date.parse(cooldown.errors![0].extensions!.retryAt as string)).toBeGreaterThan(Date.now() + 29 * 60_000);
    // leaveQueue declines a pending invite, and the staff member is free again.
    expect((await callNext(server, c.ta, c.id)).data!.callNext!.id).toBe(entryB.id);
    const left = (await gql(server, LeaveQueueDocument, { courseId: c.id }, b.token)).data!.leaveQueue;
    expect(left).toMatchObject({ status: "WITHDRAWN" });
    expect((await callNext(server, c.ta, c.id)).data!.callNext).toBeNull();
    await setPolicy(server, c.owner, c.id, { cooldownMinutes: 0 });
  });

  it("QUEUE_FULL: at most maxQueueLength students wait", async () => {
    await setPolicy(server, c.ta, c.id, { maxQueueLength: 2 });
    const [a, b, d] = c.students.slice(3, 6);
    await join(server, a, c.id);
    await join(server, b, c.id);
    expect(errorOf(await join(server, d, c.id))).toEqual({ code: "CONFLICT", reason: "QUEUE_FULL" });
    // Removing one makes room; the removal reason is kept in the trail.
    const line = (await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue;
    const removed = await gql(server, RemoveFromQueueDocument, { entryId: line.entries![0].id, reason: "asked twice" }, c.ta.token);
    expect(removed.data!.removeFromQueue.status).toBe("REMOVED");
    expect((await join(server, d, c.id)).data!.joinQueue.position).toBe(2);
    await setPolicy(server, c.ta, c.id, { maxQueueLength: 0 });
    for (const s of [b, d]) await gql(server, LeaveQueueDocument, { courseId: c.id }, s.token);
  });

  it("maximum wait: an entry waiting longer expires (MAX_WAIT), by the job", async () => {
    await setPolicy(server, c.ta, c.id, { maxWaitSeconds: 2 });
    const s = c.students[6];
    const entry = (await join(server, s, c.id)).data!.joinQueue;
    const mine = subscribe(wsClient(server, s.token), MyQueueEntryChangedDocument, { courseId: c.id });
    const expired = (await until(mine.next, (v) => v.myQueueEntryChanged.status === "EXPIRED", 10_000)).myQueueEntryChanged;
    expect(expired.id).toBe(entry.id);
    expect(Date.parse(expired.endedAt!) - Date.parse(entry.joinedAt)).toBeGreaterThanOrEqual(2000);
    expect(Date.parse(expired.endedAt!) - Date.parse(entry.joinedAt)).toBeLessThan(4000);
    await setPolicy(server, c.ta, c.id, { maxWaitSeconds: null });
  });

  it("INVITE_PENDING across courses: holding an invite in one course, a staff member's call in another is refused and changes nothing", async () => {
    const staff = await signUp(server, "INSTRUCTOR");
    const first = await officeHoursCourse(server, 1, staff);
    const second = await officeHoursCourse(server, 1, staff);
    for (const course of [first, second]) {
      await open(server, staff, course.id);
      expect((await join(server, course.students[0], course.id)).errors).toBeUndefined();
    }
    expect((await callNext(server, staff, first.id)).data!.callNext).toMatchObject({ status: "INVITED" });
    expect(errorOf(await callNext(server, staff, second.id))).toEqual({ code: "CONFLICT", reason: "INVITE_PENDING" });
    const line = (await gql(server, OfficeHoursQueueDocument, { courseId: second.id }, staff.token)).data!.officeHoursQueue;
    expect(line.waitingCount).toBe(1);
    // The invite declined, the staff member is free: the same call now invites.
    expect((await gql(server, LeaveQueueDocument, { courseId: first.id }, first.students[0].token)).errors).toBeUndefined();
    expect((await callNext(server, staff, second.id)).data!.callNext).toMatchObject({ status: "INVITED" });
  });

  it("bad input: empty question, meeting links other than https, control characters, unknown ids, negative policy values", async () => {
    const s = c.students[7];
    expect(errorOf(await join(server, s, c.id, "   "))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_QUESTION" });
    expect(errorOf(await join(server, s, c.id, "x".repeat(1001)))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_QUESTION" });
    expect(errorOf(await open(server, c.ta, c.id, " "))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_MEETING_LINK" });
    expect(errorOf(await join(server, s, "0123456789abcdef01234567"))).toEqual({ code: "NOT_FOUND", reason: "COURSE_NOT_FOUND" });
    expect(errorOf(await join(server, s, "not-an-id"))).toEqual({ code: "NOT_FOUND", reason: "COURSE_NOT_FOUND" });
    expect(errorOf(await accept(server, s, "nope"))).toEqual({ code: "NOT_FOUND", reason: "ENTRY_NOT_FOUND" });
    // A meeting link is pushed to students' screens: https URLs only.
    for (const link of ["javascript:alert(1)", "http://meet.example.edu/a", "data:text/html,<b>x</b>", "https://", "https://u:p@meet.example.edu/a", "https://meet.example.edu/\u202e"]) {
      expect({ link, ...errorOf(await open(server, c.ta, c.id, link)) }).toEqual({ link, code: "BAD_USER_INPUT", reason: "INVALID_MEETING_LINK" });
    }
    expect(errorOf(await join(server, s, c.id, "Help \u202egnp.exe"))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_QUESTION" });
    const removal = await gql(server, RemoveFromQueueDocument, { entryId: "0123456789abcdef01234567", reason: "x".repeat(1001) }, c.ta.token);
    expect(errorOf(removal).code).toBe("BAD_USER_INPUT");
    const bad = await gql(server, SetOfficeHoursPolicyDocument, { courseId: c.id, input: { maxQueueLength: -1 } }, c.ta.token);
    expect(errorOf(bad)).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
    expect((await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.ta.token)).data!.officeHoursQueue.waitingCount).toBe(0);
  });
});

describe("who sees and does what", () => {
  let other: TestUser;
  let otherCourse: { id: string };
  beforeAll(async () => {
    other = await signUp(server, "INSTRUCTOR");
    otherCourse = await createCourse(server, other.token);
  });

  it("staff of another course can neither run nor see this course's office hours", async () => {
    expect(errorOf(await open(server, other, c.id))).toEqual({ code: "FORBIDDEN", reason: "NOT_COURSE_STAFF" });
    expect(errorOf(await callNext(server, other, c.id))).toEqual({ code: "FORBIDDEN", reason: "NOT_COURSE_STAFF" });
    expect(errorOf(await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, other.token))).toEqual({ code: "FORBIDDEN", reason: "NOT_COURSE_STAFF" });
    expect(errorOf(await gql(server, OfficeHoursStatsDocument, { courseId: c.id, ...range() }, other.token))).toEqual({
      code: "FORBIDDEN",
      reason: "NOT_COURSE_STAFF",
    });
    const sub = subscribe(wsClient(server, other.token), QueueChangedDocument, { courseId: c.id });
    await sub.ended;
    expect(sub.errors).toEqual([expect.objectContaining({ extensions: { code: "FORBIDDEN", reason: "NOT_COURSE_STAFF" } })]);
    // ... and their own course's line is theirs.
    expect((await open(server, other, otherCourse.id)).data!.openOfficeHours.open).toBe(true);
  });

  it("students cannot run office hours; they see counts and their own entry, not the others'", async () => {
    const [a, b] = c.students.slice(0, 2);
    expect(errorOf(await callNext(server, a, c.id))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    expect(errorOf(await gql(server, OfficeHoursStatsDocument, { courseId: c.id, ...range() }, a.token))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    await join(server, a, c.id);
    await join(server, b, c.id);
    const seen = (await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, b.token)).data!.officeHoursQueue;
    expect(seen).toMatchObject({ waitingCount: 2, entries: null, myEntry: { student: { id: b.id }, position: 2 } });
    const staffView = (await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, c.owner.token)).data!.officeHoursQueue;
    expect(staffView.entries!.map((e) => e.student!.id)).toEqual([a.id, b.id]);
    const sub = subscribe(wsClient(server, b.token), QueueChangedDocument, { courseId: c.id });
    expect((await sub.next()).queueChanged).toMatchObject({ entries: null, myEntry: { position: 2 } });
    // Another student cannot end or remove entries, nor accept someone else's invite.
    expect(errorOf(await gql(server, RemoveFromQueueDocument, { entryId: seen.myEntry!.id }, a.token))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
  });

  it("OBSERVER sees the whole line and the statistics but cannot act", async () => {
    const observerToken = (await accountWithRole(server, await logInAdmin(server), "OBSERVER")).token;
    const line = await gql(server, OfficeHoursQueueDocument, { courseId: c.id }, observerToken);
    expect(line.data!.officeHoursQueue.entries).not.toBeNull();
    expect((await gql(server, OfficeHoursStatsDocument, { courseId: c.id, ...range() }, observerToken)).data!.officeHoursStats.joined).toBeGreaterThan(0);
    expect(errorOf(await gql(server, CloseOfficeHoursDocument, { courseId: c.id }, observerToken))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
  });

  it("anonymous callers are refused", async () => {
    expect(errorOf(await gql(server, OfficeHoursQueueDocument, { courseId: c.id }))).toEqual({ code: "UNAUTHENTICATED", reason: "UNAUTHENTICATED" });
    expect(errorOf(await join(server, { token: "" } as TestUser, c.id))).toEqual({ code: "UNAUTHENTICATED", reason: "UNAUTHENTICATED" });
  });
});

describe("the schedule", () => {
  it("staff publish windows; enrolled students read them; bad windows are refused; a cancelled one disappears", async () => {
    const start = new Date(Date.now() + 86_400_000);
    const input = { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 2 * 3600_000).toISOString(), location: "Room 4.12" };
    const made = await gql(server, ScheduleOfficeHoursDocument, { courseId: c.id, input }, c.ta.token);
    expect(made.data!.scheduleOfficeHours).toMatchObject({ location: "Room 4.12", host: { id: c.ta.id }, course: { id: c.id }, cancelled: false });
    const read = await gql(server, OfficeHoursScheduleDocument, { courseId: c.id }, c.students[0].token);
    expect(read.data!.officeHoursSchedule).toEqual([expect.objectContaining({ id: made.data!.scheduleOfficeHours.id, startsAt: input.startsAt })]);
    const backwards = { startsAt: input.endsAt, endsAt: input.startsAt };
    expect(errorOf(await gql(server, ScheduleOfficeHoursDocument, { courseId: c.id, input: backwards }, c.ta.token))).toEqual({
      code: "BAD_USER_INPUT",
      reason: "INVALID_WINDOW",
    });
    expect(errorOf(await gql(server, ScheduleOfficeHoursDocument, { courseId: c.id, input }, c.students[0].token))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    // A link as the place is https; dates far out of range and control characters are refused.
    for (const over of [{ location: "javascript:alert(1)" }, { location: "Room\u2066 4" }, { note: "a\u0007b" }, { endsAt: "2100-06-01T00:00:00.000Z", startsAt: "2100-05-31T23:00:00.000Z" }]) {
      expect({ over, ...errorOf(await gql(server, ScheduleOfficeHoursDocument, { courseId: c.id, input: { ...input, ...over } }, c.ta.token)) }).toMatchObject({ over, code: "BAD_USER_INPUT" });
    }
    const farOff = { courseId: c.id, from: "2100-06-01T00:00:00.000Z", to: "2100-06-02T00:00:00.000Z" };
    expect(errorOf(await gql(server, OfficeHoursStatsDocument, farOff, c.ta.token))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_RANGE" });
    await gql(server, CancelOfficeHoursWindowDocument, { windowId: made.data!.scheduleOfficeHours.id }, c.ta.token);
    expect((await gql(server, OfficeHoursScheduleDocument, { courseId: c.id }, c.students[0].token)).data!.officeHoursSchedule).toEqual([]);
  });
});
