// A live feed lasts only as long as its right (src/events/access.ts): when a change withdraws it (a
// teacher leaves a group, staff leave a course, a student drops it, an account loses its role), the
// feed ends within a second with FORBIDDEN on that subscription, whichever instance holds it, and the
// socket stays open for the user's other subscriptions. The changes are made on instance A, the
// sockets held on instance B.
import type { Client } from "graphql-ws";
import {
  AttendanceChangedDocument,
  CourseSeatsChangedDocument,
  DisenrollDocument,
  DomainEventsDocument,
  EnrollDocument,
  ForceDisenrollDocument,
  LeaderboardChangedDocument,
  MyEnrollmentChangedDocument,
  MyQueueEntryChangedDocument,
  OfficeHoursStatusChangedDocument,
  QueueChangedDocument,
  QuestionStartedDocument,
  RemoveGroupTeacherDocument,
  RemoveInstructorDocument,
  ReportAbsenceDocument,
  SetRoleDocument,
  StartQuestionDocument,
  SwitchCourseDocument,
  UsersDocument,
} from "../../operations/generated";
import { assignTeacher, classroom, createGroup, utcDate } from "../attendance/fixtures";
import { join, officeHoursCourse } from "../officeHours/setup";
import { gql, subscribe, wsClient, type GqlResponse, type LiveSubscription } from "../support/client";
import { startCluster, type Cluster } from "../support/cluster";
import { createCourse, eventually, logInAdmin, signUp, type TestUser } from "../support/factories";
import { createQuiz, quizClass } from "../support/quizzes";
import { waitForSubscribers } from "../support/redis";
import { stopAll, type TestServer } from "../support/server";

jest.setTimeout(120_000);

let cluster: Cluster;
/** Where the changes are made. */
let a: TestServer;
/** Where the sockets are held. */
let b: TestServer;
let admin: TestUser;
const clients: Client[] = [];

beforeAll(async () => {
  cluster = await startCluster(2);
  [a, b] = cluster.instances;
  admin = await logInAdmin(a);
}, 90_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stopAll();
});

/** A socket on instance B that counts its closes (there must be none). */
function socket(user: TestUser): { client: Client; closes: () => number } {
  const client = wsClient(b, user.token);
  clients.push(client);
  let closes = 0;
  client.on("closed", () => closes++);
  return { client, closes: () => closes };
}

interface Ending {
  code: unknown;
  reason: unknown;
  at: number;
}

/** How a subscription ends: the error of its graphql-ws `error` message, and when it came. */
function ending(sub: LiveSubscription<unknown>): Promise<Ending> {
  return sub.ended.then(() => {
    const last = sub.errors.at(-1) as { extensions?: Record<string, unknown> }[] | { extensions?: Record<string, unknown> } | undefined;
    const error = Array.isArray(last) ? last[0] : last;
    return { code: error?.extensions?.code, reason: error?.extensions?.reason, at: Date.now() };
  });
}

/** Runs the change; answers when it was acknowledged. */
async function change(run: () => Promise<GqlResponse<unknown>>): Promise<number> {
  const r = await run();
  if (r.errors) throw new Error(`the change failed: ${JSON.stringify(r.errors)}`);
  return Date.now();
}

/** Every ending FORBIDDEN with `reason`, within 1 s of `changedAt`. */
async function expectEnded(endings: Promise<Ending>[], changedAt: number, reason: string): Promise<void> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("a feed still runs 3 s after its right was withdrawn")), 3000));
  for (const e of await Promise.race([Promise.all(endings), timeout])) {
    expect({ code: e.code, reason: e.reason }).toEqual({ code: "FORBIDDEN", reason });
    expect(e.at - changedAt).toBeLessThan(1000);
  }
}

it("attendanceChanged: a teacher removed from the school's only group they teach stops receiving its registers; the school where they still teach a group goes on", async () => {
  const room = await classroom(a, admin, { size: 3, effectiveFrom: utcDate(-30) });
  const other = await classroom(a, admin, { size: 2, effectiveFrom: utcDate(-30) });
  const second = await createGroup(a, admin, other.schoolId);
  await assignTeacher(a, admin, other.groupId, room.teacher.id);
  await assignTeacher(a, admin, second, room.teacher.id);
  const teacher = socket(room.teacher);
  const school = subscribe(teacher.client, AttendanceChangedDocument, { schoolId: room.schoolId });
  const otherSchool = subscribe(teacher.client, AttendanceChangedDocument, { schoolId: other.schoolId });
  const ended = ending(school);
  await waitForSubscribers(b.env, `attendance:${room.schoolId}`);
  await waitForSubscribers(b.env, `attendance:${other.schoolId}`);

  const report = (groupId: string, studentId: string, period: number) =>
    gql(a, ReportAbsenceDocument, { input: { groupId, date: utcDate(), period, absences: [{ studentId, kind: "UNEXCUSED" }] } }, room.teacher.token);
  expect((await report(room.groupId, room.students[0], 1)).errors).toBeUndefined();
  expect((await school.next()).attendanceChanged.students).toEqual([room.students[0]]);

  // Leaving one of the two groups of the other school changes nothing there; leaving the only group
  // of the first school ends its feed.
  await change(() => gql(a, RemoveGroupTeacherDocument, { groupId: second, teacherId: room.teacher.id }, admin.token));
  const changedAt = await change(() => gql(a, RemoveGroupTeacherDocument, { groupId: room.groupId, teacherId: room.teacher.id }, admin.token));
  await expectEnded([ended], changedAt, "FORBIDDEN");

  expect((await report(other.groupId, other.students[0], 2)).errors).toBeUndefined();
  expect((await otherSchool.next()).attendanceChanged.students).toEqual([other.students[0]]);
  expect(otherSchool.errors).toEqual([]);
  expect(teacher.closes()).toBe(0);
});

it("queueChanged, myQueueEntryChanged, officeHoursStatusChanged: a student who drops the course stops seeing its line; their seat feed goes on", async () => {
  const c = await officeHoursCourse(a, 2);
  const [ann] = c.students;
  expect((await join(a, ann, c.id)).errors).toBeUndefined();
  const s = socket(ann);
  const line = subscribe(s.client, QueueChangedDocument, { courseId: c.id });
  const mine = subscribe(s.client, MyQueueEntryChangedDocument, { courseId: c.id });
  const status = subscribe(s.client, OfficeHoursStatusChangedDocument, { courseId: c.id });
  const seats = subscribe(s.client, CourseSeatsChangedDocument, { courseId: c.id });
  const endings = [ending(line), ending(mine), ending(status)];
  expect((await line.next()).queueChanged.waitingCount).toBe(1);
  expect((await mine.next()).myQueueEntryChanged.status).toBe("WAITING");
  expect((await status.next()).officeHoursStatusChanged.open).toBe(false);
  expect((await seats.next()).courseSeatsChanged.enrolledCount).toBe(2);

  const changedAt = await change(() => gql(a, DisenrollDocument, { courseId: c.id }, ann.token));
  await expectEnded(endings, changedAt, "NOT_ENROLLED");
  // The same socket's seat feed (open to anyone signed in) saw the drop.
  expect((await seats.next()).courseSeatsChanged.enrolledCount).toBe(1);
  expect(s.closes()).toBe(0);
});

it("queueChanged, officeHoursStatusChanged: staff removed from the course stop seeing its line; the line of a course they own goes on", async () => {
  const c = await officeHoursCourse(a, 1);
  const owned = await officeHoursCourse(a, 1, c.ta);
  const ta = socket(c.ta);
  const line = subscribe(ta.client, QueueChangedDocument, { courseId: c.id });
  const status = subscribe(ta.client, OfficeHoursStatusChangedDocument, { courseId: c.id });
  const ownedLine = subscribe(ta.client, QueueChangedDocument, { courseId: owned.id });
  const endings = [ending(line), ending(status)];
  expect((await line.next()).queueChanged.entries).toEqual([]);
  expect((await status.next()).officeHoursStatusChanged.open).toBe(false);
  expect((await ownedLine.next()).queueChanged.entries).toEqual([]);

  const changedAt = await change(() => gql(a, RemoveInstructorDocument, { courseId: c.id, instructorId: c.ta.id }, c.owner.token));
  await expectEnded(endings, changedAt, "NOT_COURSE_STAFF");

  expect((await join(a, owned.students[0], owned.id)).errors).toBeUndefined();
  expect((await ownedLine.next()).queueChanged.entries).toHaveLength(1);
  expect(ownedLine.errors).toEqual([]);
  expect(ta.closes()).toBe(0);
});

it("leaderboardChanged, questionStarted: a student dropped by an ADMIN, and one who switched away, stop following the quiz", async () => {
  const k = await quizClass(a, 2);
  const [dropped, switcher] = k.students;
  const quiz = await createQuiz(a, k.teacher.token, { courseId: k.courseId });
  expect((await gql(a, StartQuestionDocument, { quizId: quiz.id }, k.teacher.token)).errors).toBeUndefined();
  const target = await createCourse(a, k.teacher.token, { capacity: 5, units: 0 });

  const endings: Promise<Ending>[][] = [];
  const subs: LiveSubscription<unknown>[] = [];
  for (const student of [dropped, switcher]) {
    const s = socket(student);
    const board = subscribe(s.client, LeaderboardChangedDocument, { quizId: quiz.id, first: 5 });
    const question = subscribe(s.client, QuestionStartedDocument, { quizId: quiz.id });
    endings.push([ending(board), ending(question)]);
    expect((await board.next()).leaderboardChanged.closed).toBe(false);
    expect((await question.next()).questionStarted.number).toBe(1);
    subs.push(board, question);
  }

  const droppedAt = await change(() => gql(a, ForceDisenrollDocument, { courseId: k.courseId, studentId: dropped.id }, admin.token));
  await expectEnded(endings[0], droppedAt, "NOT_ENROLLED");
  // Only the dropped student's feeds ended.
  expect(subs[2].errors).toEqual([]);
  expect(subs[3].errors).toEqual([]);

  const switchedAt = await change(() => gql(a, SwitchCourseDocument, { fromCourseId: k.courseId, toCourseId: target.id }, switcher.token));
  await expectEnded(endings[1], switchedAt, "NOT_ENROLLED");
});

// ---- account changes (an ADMIN's setRole) ----

it("domainEvents: an ADMIN whose role is taken away stops receiving the audit feed", async () => {
  const deputy = await signUp(a, "INSTRUCTOR");
  expect((await gql(a, SetRoleDocument, { userId: deputy.id, role: "ADMIN" }, admin.token)).errors).toBeUndefined();
  // Instance B applies the new role within its account cache's lifetime.
  await eventually(() => gql(b, UsersDocument, { first: 1 }, deputy.token), (r) => !r.errors);
  const s = socket(deputy);
  const audit = subscribe(s.client, DomainEventsDocument, { names: ["CourseCreated"] });
  const seats = subscribe(s.client, CourseSeatsChangedDocument, { courseId: (await createCourse(a, admin.token)).id });
  const ended = ending(audit);
  expect((await seats.next()).courseSeatsChanged.enrolledCount).toBe(0);
  await waitForSubscribers(b.env, "events");
  await createCourse(a, admin.token);
  expect((await audit.next()).domainEvents.name).toBe("CourseCreated");

  const changedAt = await change(() => gql(a, SetRoleDocument, { userId: deputy.id, role: "INSTRUCTOR" }, admin.token));
  await expectEnded([ended], changedAt, "ROLE_REQUIRED");
  expect(seats.errors).toEqual([]);
  expect(s.closes()).toBe(0);
});

it("myEnrollmentChanged: a STUDENT made INSTRUCTOR stops receiving it", async () => {
  const student = await signUp(a, "STUDENT");
  const course = await createCourse(a, admin.token, { capacity: 5, units: 0 });
  const s = socket(student);
  const mine = subscribe(s.client, MyEnrollmentChangedDocument, {});
  const ended = ending(mine);
  await waitForSubscribers(b.env, `my-enrollments:${student.id}`);
  expect((await gql(a, EnrollDocument, { courseId: course.id }, student.token)).errors).toBeUndefined();
  expect((await mine.next()).myEnrollmentChanged.status).toBe("ENROLLED");

  const changedAt = await change(() => gql(a, SetRoleDocument, { userId: student.id, role: "INSTRUCTOR" }, admin.token));
  await expectEnded([ended], changedAt, "ROLE_REQUIRED");
  expect(s.closes()).toBe(0);
});
