// Registers as a teacher's app uses them, over HTTP and graphql-ws, against the MongoDB stand-in and Redis.
import { MongoClient } from "mongodb";
import {
  AttendanceChangedDocument,
  AttendanceStatsDocument,
  CompleteLessonDocument,
  GroupDocument,
  ImportRosterDocument,
  LessonDocument,
  LessonHistoryDocument,
  LessonsDocument,
  MyGroupsDocument,
  OpenLessonsDocument,
  RemoveFromRosterDocument,
  RemoveGroupTeacherDocument,
  ReportAbsenceDocument,
  RetractAbsenceDocument,
  SchoolsDocument,
} from "../../operations/generated";
import { errorOf, gql, subscribe, wsClient } from "../support/client";
import { eventually, logInAdmin, signUp, type TestUser } from "../support/factories";
import { waitForSubscribers } from "../support/redis";
import { startServer, stopAll, type TestServer } from "../support/server";
import { classroom, createSchool, utcDate, type Classroom } from "./fixtures";

let server: TestServer;
let admin: TestUser;
let mongo: MongoClient;
let room: Classroom;
let other: Classroom;

beforeAll(async () => {
  server = await startServer();
  admin = await logInAdmin(server);
  mongo = await MongoClient.connect(server.env.MONGO_URL);
  room = await classroom(server, admin, { size: 6, effectiveFrom: utcDate(-30) });
  other = await classroom(server, admin, { size: 3, effectiveFrom: utcDate(-30) });
}, 60_000);
afterAll(async () => {
  await mongo?.close();
  await stopAll();
});

const report = (c: Classroom, date: string, period: number, absences: { studentId: string; kind: "UNEXCUSED" | "EXCUSED" | "LATE" | "APPROVED_ACTIVITY"; reason?: string }[], token = c.teacher.token) =>
  gql(server, ReportAbsenceDocument, { input: { groupId: c.groupId, date, period, absences } }, token);
const complete = (c: Classroom, date: string, period: number, token = c.teacher.token) =>
  gql(server, CompleteLessonDocument, { groupId: c.groupId, date, period }, token);

it("a register: report (upsert, idempotent per student), complete (counts), re-complete changes nothing", async () => {
  const date = utcDate();
  const [s1, s2, s3] = room.students;
  const first = await report(room, date, 1, [
    { studentId: s1, kind: "UNEXCUSED" },
    { studentId: s2, kind: "LATE" },
  ]);
  expect(first.errors).toBeUndefined();
  expect(first.data!.reportAbsence).toMatchObject({ status: "OPEN", roster: null, version: 1 });
  expect(first.data!.reportAbsence.absences.map((a) => [a.studentId, a.kind])).toEqual(
    [[s1, "UNEXCUSED"], [s2, "LATE"]].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
  );

  // Same marks again: nothing changes (same version); a new kind updates, never duplicates.
  const again = await report(room, date, 1, [{ studentId: s1, kind: "UNEXCUSED" }]);
  expect(again.data!.reportAbsence.version).toBe(1);
  const changed = await report(room, date, 1, [{ studentId: s1, kind: "EXCUSED", reason: "doctor" }, { studentId: s3, kind: "APPROVED_ACTIVITY", reason: "chess final" }]);
  expect(changed.data!.reportAbsence.version).toBe(2);
  expect(changed.data!.reportAbsence.absences).toHaveLength(3);
  expect(changed.data!.reportAbsence.absences.find((a) => a.studentId === s1)).toMatchObject({ kind: "EXCUSED", reason: "doctor" });

  const done = await complete(room, date, 1);
  expect(done.data!.completeLesson).toMatchObject({ status: "COMPLETED", roster: 6, absent: 1, excused: 1, late: 1, approvedActivity: 1, present: 5, version: 3 });
  const twice = await complete(room, date, 1);
  expect(twice.data!.completeLesson).toMatchObject({ status: "COMPLETED", roster: 6, absent: 1, version: 3 });
  expect(twice.data!.completeLesson.completedAt).toBe(done.data!.completeLesson.completedAt);

  const stats = await gql(server, AttendanceStatsDocument, { scope: "GROUP", id: room.groupId, from: date, to: date }, room.teacher.token);
  expect(stats.data!.attendanceStats).toMatchObject({ lessons: 1, expected: 6, present: 5, absent: 1, excused: 1, unexcused: 0, late: 1, approvedActivity: 1 });
  expect(stats.data!.attendanceStats.attendanceRate).toBeCloseTo(5 / 6, 5);

  // The audit trail and the durable copy.
  const history = await eventually(
    () => gql(server, LessonHistoryDocument, { groupId: room.groupId, date, period: 1 }, admin.token),
    (r) => r.data?.lesson?.history.length === 3,
  );
  expect(history.data!.lesson!.history.map((h) => [h.action, h.version, h.by.id])).toEqual([
    ["REPORT", 1, room.teacher.id],
    ["REPORT", 2, room.teacher.id],
    ["COMPLETE", 3, room.teacher.id],
  ]);
  expect(history.data!.lesson!.history[1].changes).toEqual(
    expect.arrayContaining([{ studentId: s1, kind: "EXCUSED" }, { studentId: s3, kind: "APPROVED_ACTIVITY" }]),
  );
  const stored = await eventually(
    () => mongo.db().collection("lessons").findOne({ _id: `${room.groupId}:${date}:1` as never }),
    (d) => d?.version === 3,
  );
  expect(stored).toMatchObject({ status: "COMPLETED", roster: 6, present: 5, absent: 1, late: 1 });
  expect(stored!.absences).toHaveLength(3);
  const page = await gql(server, LessonsDocument, { groupId: room.groupId, from: date, to: date, first: 10 }, room.teacher.token);
  expect(page.data!.lessons.edges.map((e) => e.node.id)).toEqual([`${room.groupId}:${date}:1`]);
});

it("a correction after completion updates the counts and statistics; retract too", async () => {
  const date = utcDate(-2);
  const [s1, s2] = room.students;
  await report(room, date, 2, [{ studentId: s1, kind: "UNEXCUSED" }]);
  await complete(room, date, 2);
  const fixed = await report(room, date, 2, [{ studentId: s1, kind: "LATE" }, { studentId: s2, kind: "UNEXCUSED" }]);
  expect(fixed.data!.reportAbsence).toMatchObject({ status: "COMPLETED", absent: 1, late: 1, present: 5 });
  const retracted = await gql(server, RetractAbsenceDocument, { input: { groupId: room.groupId, date, period: 2, studentIds: [s2] } }, room.teacher.token);
  expect(retracted.data!.retractAbsence).toMatchObject({ absent: 0, late: 1, present: 6 });
  const stats = await gql(server, AttendanceStatsDocument, { scope: "STUDENT", id: s1, from: date, to: date }, room.teacher.token);
  expect(stats.data!.attendanceStats).toMatchObject({ lessons: 1, expected: 1, present: 1, absent: 0, late: 1 });
  const lesson = await gql(server, LessonDocument, { groupId: room.groupId, date, period: 2 }, room.teacher.token);
  expect(lesson.data!.lesson).toMatchObject({ takenBy: { id: room.teacher.id }, completedBy: { id: room.teacher.id }, changedBy: { id: room.teacher.id } });
  expect(lesson.data!.lesson!.absences).toEqual([expect.objectContaining({ studentId: s1, kind: "LATE", student: { id: s1, name: expect.any(String) }, reportedBy: { id: room.teacher.id } })]);
});

it("reasons: NOT_GROUP_TEACHER, STUDENT_NOT_IN_GROUP, LESSON_LOCKED, INVALID_DATE, and bad input", async () => {
  const date = utcDate();
  // A teacher of another school, and a student of another group.
  expect(errorOf(await report(room, date, 3, [], other.teacher.token))).toEqual({ code: "FORBIDDEN", reason: "NOT_GROUP_TEACHER" });
  expect(errorOf(await complete(room, date, 3, other.teacher.token))).toEqual({ code: "FORBIDDEN", reason: "NOT_GROUP_TEACHER" });
  expect(errorOf(await report(room, date, 3, [{ studentId: room.students[0], kind: "LATE" }, { studentId: other.students[0], kind: "UNEXCUSED" }]))).toEqual({
    code: "BAD_USER_INPUT",
    reason: "STUDENT_NOT_IN_GROUP",
  });
  // Nothing half-written: the valid absence of the refused call was not stored either.
  expect((await gql(server, LessonDocument, { groupId: room.groupId, date, period: 3 }, room.teacher.token)).data!.lesson).toBeNull();
  expect(errorOf(await report(room, utcDate(-8), 1, []))).toEqual({ code: "CONFLICT", reason: "LESSON_LOCKED" });
  expect(errorOf(await complete(room, utcDate(-8), 1))).toEqual({ code: "CONFLICT", reason: "LESSON_LOCKED" });
  expect((await report(room, utcDate(-7), 1, [])).errors).toBeUndefined();
  for (const bad of [utcDate(2), "2026-02-30", "yesterday", "2026-1-5"]) {
    expect(errorOf(await report(room, bad, 1, []))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_DATE" });
  }
  expect(errorOf(await report(room, date, 1, [{ studentId: room.students[0], kind: "APPROVED_ACTIVITY" }]))).toEqual({ code: "BAD_USER_INPUT", reason: "REASON_REQUIRED" });
  expect(errorOf(await report(room, date, 1, [{ studentId: room.students[0], kind: "EXCUSED", reason: "ill \u202etxt.exe" }]))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_REASON" });
  expect(errorOf(await report(room, date, 1, [{ studentId: room.students[0], kind: "LATE" }, { studentId: room.students[0], kind: "UNEXCUSED" }]))).toEqual({
    code: "BAD_USER_INPUT",
    reason: "DUPLICATE_STUDENT",
  });
  expect(errorOf(await report(room, date, 0, [])).code).toBe("BAD_USER_INPUT");
  expect(errorOf(await gql(server, CompleteLessonDocument, { groupId: "0123456789abcdef01234567", date, period: 1 }, room.teacher.token))).toEqual({
    code: "NOT_FOUND",
    reason: "GROUP_NOT_FOUND",
  });
  const student = await signUp(server, "STUDENT");
  expect(errorOf(await report(room, date, 1, [], student.token)).code).toBe("FORBIDDEN");
  expect(errorOf(await report(room, date, 1, [], "")).code).toBe("UNAUTHENTICATED");
});

it("the school's time zone decides what 'today' is", async () => {
  // Kiritimati (UTC+14) is always a day or two ahead of Pago Pago (UTC-11).
  const ahead = await classroom(server, admin, { size: 2, timeZone: "Pacific/Kiritimati", effectiveFrom: utcDate(-3) });
  const behind = await classroom(server, admin, { size: 2, timeZone: "Pacific/Pago_Pago", effectiveFrom: utcDate(-3) });
  const kiritimatiToday = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Kiritimati" }).format(Date.now());
  expect((await report(ahead, kiritimatiToday, 1, [])).errors).toBeUndefined();
  expect(errorOf(await report(behind, kiritimatiToday, 1, []))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_DATE" });
});

it("admin: roster import is idempotent for existing students, removal ends the roll period, teachers come and go", async () => {
  const c = await classroom(server, admin, { size: 2, effectiveFrom: utcDate(-5) });
  const known = await signUp(server, "STUDENT");
  const rows = [{ groupId: c.groupId, studentId: known.id }, { groupId: c.groupId, studentId: c.students[0] }, { groupId: c.groupId, name: "New Pupil" }];
  const first = await gql(server, ImportRosterDocument, { input: { rows, effectiveFrom: utcDate(-5) } }, admin.token);
  expect(first.data!.importRoster).toMatchObject({ added: 2, alreadyOnRoll: 1, created: 1 });
  expect(first.data!.importRoster.studentIds.slice(0, 2)).toEqual([known.id, c.students[0]]);
  const again = await gql(server, ImportRosterDocument, { input: { rows: rows.slice(0, 2) } }, admin.token);
  expect(again.data!.importRoster).toMatchObject({ added: 0, alreadyOnRoll: 2, created: 0 });
  expect(errorOf(await gql(server, ImportRosterDocument, { input: { rows: [{ groupId: c.groupId, studentId: c.teacher.id }] } }, admin.token))).toEqual({
    code: "BAD_USER_INPUT",
    reason: "NOT_A_STUDENT",
  });
  expect(errorOf(await gql(server, ImportRosterDocument, { input: { rows: [{ groupId: c.groupId }] } }, admin.token)).reason).toBe("INVALID_ROW");
  expect(errorOf(await gql(server, ImportRosterDocument, { input: { rows: [{ groupId: c.groupId, name: "x" }] } }, c.teacher.token)).code).toBe("FORBIDDEN");

  // The roll as the hot path sees it: 4 on it; `known` is reported absent, then taken off today.
  const date = utcDate();
  expect((await report(c, date, 1, [{ studentId: known.id, kind: "UNEXCUSED" }])).errors).toBeUndefined();
  const removed = await gql(server, RemoveFromRosterDocument, { input: { groupId: c.groupId, studentIds: [known.id] } }, admin.token);
  expect(removed.data!.removeFromRoster).toBe(1);
  // Ids that are not ids are refused (not counted as "not on the roll"), and nobody is taken off.
  const garbage = await gql(server, RemoveFromRosterDocument, { input: { groupId: c.groupId, studentIds: [c.students[0], "x"] } }, admin.token);
  expect(errorOf(garbage).code).toBe("BAD_USER_INPUT");
  expect(errorOf(await report(c, date, 2, [{ studentId: known.id, kind: "LATE" }]))).toEqual({ code: "BAD_USER_INPUT", reason: "STUDENT_NOT_IN_GROUP" });
  expect((await report(c, utcDate(-1), 2, [{ studentId: known.id, kind: "LATE" }])).errors).toBeUndefined(); // yesterday they were on it
  expect((await complete(c, date, 2)).data!.completeLesson.roster).toBe(3);

  const group = await gql(server, GroupDocument, { id: c.groupId }, c.teacher.token);
  expect(group.data!.group.roll.edges).toHaveLength(3);
  // The register screen lists the roll by name: roster-only pupils as imported, each entry's student its studentId.
  expect(group.data!.group.roll.edges.map((e) => e.node.student.name).sort()).toEqual(["New Pupil", "Pupil 1", "Pupil 2"]);
  expect(group.data!.group.roll.edges.every((e) => e.node.student.id === e.node.studentId)).toBe(true);
  expect(group.data!.group.teachers).toEqual([{ id: c.teacher.id }]);
  expect((await gql(server, MyGroupsDocument, {}, c.teacher.token)).data!.myGroups.map((g) => g.id)).toEqual([c.groupId]);
  const schools = await gql(server, SchoolsDocument, { first: 100 }, admin.token);
  expect(schools.errors ?? []).toEqual([]);
  expect(schools.data!.schools.edges.find((e) => e.node.id === c.schoolId)?.node.groups.edges.map((e) => e.node.id)).toEqual([c.groupId]);

  // A removed teacher no longer takes the register (the cache is invalidated by the change).
  await gql(server, RemoveGroupTeacherDocument, { groupId: c.groupId, teacherId: c.teacher.id }, admin.token);
  expect(errorOf(await report(c, date, 3, []))).toEqual({ code: "FORBIDDEN", reason: "NOT_GROUP_TEACHER" });
  expect(errorOf(await gql(server, GroupDocument, { id: c.groupId }, c.teacher.token)).code).toBe("FORBIDDEN");
});

it("openLessons lists started, not completed registers; school staff only", async () => {
  const date = utcDate();
  const schoolId = await createSchool(server, admin);
  const a = await classroom(server, admin, { size: 2, schoolId });
  const b = await classroom(server, admin, { size: 2, schoolId });
  await report(a, date, 1, []);
  await report(b, date, 1, []);
  await report(b, date, 2, []);
  await complete(b, date, 1);
  const open = await gql(server, OpenLessonsDocument, { schoolId, date }, a.teacher.token);
  expect(open.data!.openLessons.map((l) => l.id).sort()).toEqual([`${a.groupId}:${date}:1`, `${b.groupId}:${date}:2`].sort());
  expect(errorOf(await gql(server, OpenLessonsDocument, { schoolId, date }, other.teacher.token))).toMatchObject({ code: "FORBIDDEN" });
  const observer = await gql(server, AttendanceStatsDocument, { scope: "SCHOOL", id: schoolId, from: date, to: date }, other.teacher.token);
  expect(errorOf(observer).code).toBe("FORBIDDEN");
  expect(errorOf(await gql(server, AttendanceStatsDocument, { scope: "REGION", id: "North", from: date, to: date }, a.teacher.token)).code).toBe("FORBIDDEN");
  expect((await gql(server, AttendanceStatsDocument, { scope: "REGION", id: "North", from: date, to: date }, admin.token)).data!.attendanceStats.lessons).toBeGreaterThan(0);
});

it("students read their own statistics, not others'", async () => {
  const c = await classroom(server, admin, { size: 2, effectiveFrom: utcDate(-5) });
  const me = await signUp(server, "STUDENT");
  await gql(server, ImportRosterDocument, { input: { rows: [{ groupId: c.groupId, studentId: me.id }], effectiveFrom: utcDate(-5) } }, admin.token);
  await report(c, utcDate(-1), 1, [{ studentId: me.id, kind: "UNEXCUSED" }]);
  await complete(c, utcDate(-1), 1);
  await complete(c, utcDate(), 1);
  const mine = await gql(server, AttendanceStatsDocument, { scope: "STUDENT", id: me.id, from: utcDate(-6), to: utcDate() }, me.token);
  expect(mine.data!.attendanceStats).toMatchObject({ lessons: 2, expected: 2, absent: 1, unexcused: 1, present: 1, attendanceRate: 0.5 });
  expect(errorOf(await gql(server, AttendanceStatsDocument, { scope: "STUDENT", id: c.students[0], from: utcDate(), to: utcDate() }, me.token)).code).toBe("FORBIDDEN");
  expect(errorOf(await gql(server, AttendanceStatsDocument, { scope: "STUDENT", id: me.id, from: utcDate(), to: utcDate() }, other.teacher.token)).code).toBe("FORBIDDEN");
  expect(errorOf(await gql(server, AttendanceStatsDocument, { scope: "GROUP", id: c.groupId, from: utcDate(), to: utcDate(-1) }, c.teacher.token))).toEqual({
    code: "BAD_USER_INPUT",
    reason: "INVALID_DATE",
  });
});

it("attendanceChanged delivers a school's register changes to its staff, live", async () => {
  const c = await classroom(server, admin, { size: 3 });
  const client = wsClient(server, c.teacher.token);
  const live = subscribe(client, AttendanceChangedDocument, { schoolId: c.schoolId });
  await waitForSubscribers(server.env, `attendance:${c.schoolId}`);
  const date = utcDate();
  await report(c, date, 4, [{ studentId: c.students[0], kind: "LATE" }]);
  await complete(c, date, 4);
  const first = await live.next();
  expect(first.attendanceChanged).toMatchObject({ action: "REPORT", students: [c.students[0]], lesson: { status: "OPEN", version: 1 } });
  const second = await live.next();
  expect(second.attendanceChanged).toMatchObject({ action: "COMPLETE", lesson: { status: "COMPLETED", absent: 0, version: 2 } });
  live.unsubscribe();

  const outsider = wsClient(server, other.teacher.token);
  const refused = subscribe(outsider, AttendanceChangedDocument, { schoolId: c.schoolId });
  await refused.ended;
  expect(JSON.stringify(refused.errors)).toContain("FORBIDDEN");
  await Promise.all([client.dispose(), outsider.dispose()]);
});
