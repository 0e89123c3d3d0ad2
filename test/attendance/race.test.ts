// Concurrency: real requests racing on the same register, through two instances sharing Redis and
// MongoDB. Idempotency and exact rollups are decided by the Lua scripts, whatever the interleaving.
import { MongoClient } from "mongodb";
import {
  AttendanceStatsDocument,
  CompleteLessonDocument,
  LessonDocument,
  LessonHistoryDocument,
  ReportAbsenceDocument,
  RetractAbsenceDocument,
  type AbsenceKind,
} from "../../operations/generated";
import { gql } from "../support/client";
import { eventually, logInAdmin, type TestUser } from "../support/factories";
import { startServer, stopAll, type TestServer } from "../support/server";
import { classroom, utcDate, type Classroom } from "./fixtures";

let a: TestServer;
let b: TestServer;
let admin: TestUser;
let mongo: MongoClient;
let room: Classroom;

beforeAll(async () => {
  a = await startServer();
  b = await startServer(a.env);
  admin = await logInAdmin(a);
  mongo = await MongoClient.connect(a.env.MONGO_URL);
  room = await classroom(a, admin, { size: 30, effectiveFrom: utcDate(-10) });
}, 60_000);
afterAll(async () => {
  await mongo?.close();
  await stopAll();
});

const via = (i: number) => (i % 2 ? a : b);
const ref = (date: string, period: number) => ({ groupId: room.groupId, date, period });
const statsOf = (scope: "GROUP" | "SCHOOL" | "STUDENT", id: string, date: string) =>
  gql(a, AttendanceStatsDocument, { scope, id, from: date, to: date }, admin.token).then((r) => r.data!.attendanceStats);

it("the same absence reported 20 times concurrently is stored once", async () => {
  const date = utcDate();
  const student = room.students[0];
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      gql(via(i), ReportAbsenceDocument, { input: { ...ref(date, 1), absences: [{ studentId: student, kind: "UNEXCUSED" }] } }, room.teacher.token),
    ),
  );
  expect(results.filter((r) => r.errors)).toEqual([]);
  expect(new Set(results.map((r) => r.data!.reportAbsence.version))).toEqual(new Set([1]));
  const stored = await eventually(
    () => mongo.db().collection("lessons").findOne({ _id: `${room.groupId}:${date}:1` as never }),
    (d) => d !== null,
  );
  expect(stored!.absences).toHaveLength(1);
  expect(stored!.version).toBe(1);
  const history = await eventually(
    () => gql(a, LessonHistoryDocument, ref(date, 1), admin.token),
    (r) => (r.data?.lesson?.history.length ?? 0) > 0,
  );
  expect(history.data!.lesson!.history.map((h) => h.action)).toEqual(["REPORT"]);
}, 60_000);

it("completing 20 times concurrently completes once: one register in the rollups", async () => {
  const date = utcDate(-1);
  await gql(a, ReportAbsenceDocument, { input: { ...ref(date, 2), absences: [{ studentId: room.students[1], kind: "LATE" }] } }, room.teacher.token);
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gql(via(i), CompleteLessonDocument, ref(date, 2), room.teacher.token)));
  expect(results.filter((r) => r.errors)).toEqual([]);
  expect(new Set(results.map((r) => `${r.data!.completeLesson.version}:${r.data!.completeLesson.completedAt}`)).size).toBe(1);
  expect(await statsOf("GROUP", room.groupId, date)).toMatchObject({ lessons: 1, expected: 30, present: 30, late: 1, absent: 0 });
  const history = await eventually(
    () => gql(a, LessonHistoryDocument, ref(date, 2), admin.token),
    (r) => (r.data?.lesson?.history.length ?? 0) >= 2,
  );
  expect(history.data!.lesson!.history.map((h) => h.action)).toEqual(["REPORT", "COMPLETE"]);
}, 60_000);

it("concurrent corrections of a completed register move the rollups by exactly their sum", async () => {
  const kinds: AbsenceKind[] = ["UNEXCUSED", "EXCUSED", "LATE", "APPROVED_ACTIVITY"];
  for (let round = 0; round < 5; round++) {
    const date = utcDate(-2 - round);
    const period = 3;
    // Open the register with some marks, and race more marks, retractions and the completion itself.
    await gql(a, ReportAbsenceDocument, { input: { ...ref(date, period), absences: room.students.slice(0, 5).map((s) => ({ studentId: s, kind: "UNEXCUSED" as const })) } }, room.teacher.token);
    const calls = Array.from({ length: 60 }, (_, i) => {
      const student = room.students[(i * 7 + round) % 12]; // 12 students, several calls each
      if (i === 10) return gql(via(i), CompleteLessonDocument, ref(date, period), room.teacher.token);
      if (i % 5 === 4) return gql(via(i), RetractAbsenceDocument, { input: { ...ref(date, period), studentIds: [student] } }, room.teacher.token);
      const kind = kinds[(i + round) % 4];
      return gql(via(i), ReportAbsenceDocument, { input: { ...ref(date, period), absences: [{ studentId: student, kind, reason: kind === "APPROVED_ACTIVITY" ? "trip" : null }] } }, room.teacher.token);
    });
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.errors)).toEqual([]);

    const lesson = (await gql(a, LessonDocument, ref(date, period), admin.token)).data!.lesson!;
    expect(lesson.status).toBe("COMPLETED");
    const count = (k: AbsenceKind) => lesson.absences.filter((x) => x.kind === k).length;
    const absent = count("UNEXCUSED") + count("EXCUSED");
    expect(lesson).toMatchObject({ roster: 30, absent, excused: count("EXCUSED"), late: count("LATE"), approvedActivity: count("APPROVED_ACTIVITY"), present: 30 - absent });
    const expected = { lessons: 1, expected: 30, absent, excused: count("EXCUSED"), late: count("LATE"), approvedActivity: count("APPROVED_ACTIVITY"), present: 30 - absent };
    expect(await statsOf("GROUP", room.groupId, date)).toMatchObject(expected);
    expect(await statsOf("SCHOOL", room.schoolId, date)).toMatchObject(expected);
    for (const s of room.students.slice(0, 12)) {
      const mark = lesson.absences.find((x) => x.studentId === s)?.kind;
      const st = await statsOf("STUDENT", s, date);
      expect(st).toMatchObject({
        expected: 1,
        absent: mark === "UNEXCUSED" || mark === "EXCUSED" ? 1 : 0,
        excused: mark === "EXCUSED" ? 1 : 0,
        late: mark === "LATE" ? 1 : 0,
        approvedActivity: mark === "APPROVED_ACTIVITY" ? 1 : 0,
      });
    }
  }
}, 120_000);
