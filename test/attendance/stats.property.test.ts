// Property: attendanceStats (incremental daily rollups) equals a brute-force recomputation over the
// stored lesson documents, for every scope and range, after random registers, corrections,
// retractions and completions (sent concurrently), with students on two rolls and a roll that ends
// mid-range.
import { MongoClient, ObjectId } from "mongodb";
import {
  AttendanceStatsDocument,
  CompleteLessonDocument,
  ImportRosterDocument,
  LessonDocument,
  RemoveFromRosterDocument,
  ReportAbsenceDocument,
  RetractAbsenceDocument,
  type AbsenceKind,
  type AttendanceScope,
} from "../../operations/generated";
import { gql } from "../support/client";
import { eventually, logInAdmin, type TestUser } from "../support/factories";
import { startServer, stopAll, type TestServer } from "../support/server";
import { classroom, createSchool, utcDate, type Classroom } from "./fixtures";
import { mulberry32 } from "../../scripts/lib/random";

let server: TestServer;
let admin: TestUser;
let mongo: MongoClient;

beforeAll(async () => {
  server = await startServer();
  admin = await logInAdmin(server);
  mongo = await MongoClient.connect(server.env.MONGO_URL);
}, 60_000);
afterAll(async () => {
  await mongo?.close();
  await stopAll();
});


interface StoredLesson {
  group: ObjectId;
  school: ObjectId;
  region: string;
  date: string;
  period: number;
  status: string;
  roster: number;
  version: number;
  absences: { student: ObjectId; kind: AbsenceKind }[];
}
type Totals = { lessons: number; expected: number; present: number; absent: number; excused: number; unexcused: number; late: number; approvedActivity: number };
const zero = (): Totals => ({ lessons: 0, expected: 0, present: 0, absent: 0, excused: 0, unexcused: 0, late: 0, approvedActivity: 0 });
const KINDS: AbsenceKind[] = ["UNEXCUSED", "EXCUSED", "LATE", "APPROVED_ACTIVITY"];

it.each([[1], [2024], [77]])("stats equal brute force over random lessons (seed %i)", async (seed) => {
  const random = mulberry32(seed);
  const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const region = `R${seed}-${Date.now()}`;
  const otherRegion = `${region}-b`;
  const from = utcDate(-6);
  const to = utcDate();

  // Two schools in one region, one in another; groups of 3-7 students on the roll since 10 days ago.
  const schools = [await createSchool(server, admin, region), await createSchool(server, admin, region), await createSchool(server, admin, otherRegion)];
  const rooms: Classroom[] = [];
  for (let i = 0; i < 5; i++) {
    rooms.push(await classroom(server, admin, { schoolId: schools[i % 3], size: 3 + Math.floor(random() * 5), effectiveFrom: utcDate(-10) }));
  }
  // Roll periods as the test knows them: group -> student -> [from, to).
  const roll = new Map<string, Map<string, [string, string | null]>>(rooms.map((r) => [r.groupId, new Map(r.students.map((s) => [s, [utcDate(-10), null]]))]));
  // A student of room 0 is also on room 1's roll; one of room 2 leaves it three days ago.
  const shared = rooms[0].students[0];
  await gql(server, ImportRosterDocument, { input: { rows: [{ groupId: rooms[1].groupId, studentId: shared }], effectiveFrom: utcDate(-10) } }, admin.token);
  roll.get(rooms[1].groupId)!.set(shared, [utcDate(-10), null]);
  const leaver = rooms[2].students[0];
  expect((await gql(server, RemoveFromRosterDocument, { input: { groupId: rooms[2].groupId, studentIds: [leaver], effectiveFrom: utcDate(-3) } }, admin.token)).data!.removeFromRoster).toBe(1);
  roll.get(rooms[2].groupId)!.set(leaver, [utcDate(-10), utcDate(-3)]);
  const onRoll = (groupId: string, date: string) => [...roll.get(groupId)!].filter(([, [f, t]]) => f <= date && (t === null || date < t)).map(([s]) => s);

  // Random register traffic, ten calls at a time; each call names the register it touches.
  const ops = Array.from({ length: 160 }, (): [string, () => ReturnType<typeof gql>] => {
    const room = pick(rooms);
    const date = utcDate(-Math.floor(random() * 7));
    const period = 1 + Math.floor(random() * 3);
    const students = onRoll(room.groupId, date);
    const key = `${room.groupId}:${date}:${period}`;
    const roll = random();
    if (roll < 0.55) {
      const chosen = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(students)))];
      const absences = chosen.map((studentId) => {
        const kind = pick(KINDS);
        return { studentId, kind, reason: kind === "APPROVED_ACTIVITY" ? "museum" : null };
      });
      return [key, () => gql(server, ReportAbsenceDocument, { input: { groupId: room.groupId, date, period, absences } }, room.teacher.token)];
    }
    if (roll < 0.7) {
      return [key, () => gql(server, RetractAbsenceDocument, { input: { groupId: room.groupId, date, period, studentIds: [pick(students)] } }, room.teacher.token)];
    }
    return [key, () => gql(server, CompleteLessonDocument, { groupId: room.groupId, date, period }, room.teacher.token)];
  });
  const touched = new Set<string>();
  for (let i = 0; i < ops.length; i += 10) {
    const batch = ops.slice(i, i + 10);
    const results = await Promise.all(batch.map(([, op]) => op()));
    results.forEach((r, j) => {
      if (r.errors) expect(r.errors[0].extensions?.reason).toBe("LESSON_NOT_FOUND"); // a retraction before any report
      else touched.add(batch[j][0]);
    });
  }

  // The durable copy has caught up when it holds every register the traffic made, each at its live
  // version (the writer stores a register up to a batch, or a settle time, after its last change).
  const groupIds = rooms.map((r) => new ObjectId(r.groupId));
  const docs = await eventually(
    async () => {
      const stored = (await mongo.db().collection("lessons").find({ group: { $in: groupIds } }).toArray()) as unknown as StoredLesson[];
      const live = await Promise.all(
        stored.map((d) => gql(server, LessonDocument, { groupId: String(d.group), date: d.date, period: d.period }, admin.token).then((r) => r.data!.lesson!.version)),
      );
      return { stored, caughtUp: stored.every((d, i) => d.version === live[i]) };
    },
    (v) => v.caughtUp && v.stored.length === touched.size,
    20_000,
  ).then((v) => v.stored);

  // Brute force over the stored documents.
  const completed = docs.filter((d) => d.status === "COMPLETED");
  expect(completed.length).toBeGreaterThan(10);
  const inRange = (d: { date: string }, lo: string, hi: string) => d.date >= lo && d.date <= hi;
  const bruteForce = (scope: AttendanceScope, id: string, lo: string, hi: string): Totals => {
    const t = zero();
    for (const d of completed.filter((x) => inRange(x, lo, hi))) {
      const marks = d.absences;
      const count = (k: AbsenceKind, only?: string) => marks.filter((m) => m.kind === k && (!only || String(m.student) === only)).length;
      if (scope === "STUDENT") {
        if (!onRoll(String(d.group), d.date).includes(id)) continue;
        t.lessons += 1;
        t.expected += 1;
      } else {
        const match = scope === "GROUP" ? String(d.group) === id : scope === "SCHOOL" ? String(d.school) === id : d.region === id;
        if (!match) continue;
        expect(d.roster).toBe(onRoll(String(d.group), d.date).length); // the roll the register counted
        t.lessons += 1;
        t.expected += d.roster;
      }
      const only = scope === "STUDENT" ? id : undefined;
      t.absent += count("UNEXCUSED", only) + count("EXCUSED", only);
      t.excused += count("EXCUSED", only);
      t.late += count("LATE", only);
      t.approvedActivity += count("APPROVED_ACTIVITY", only);
    }
    t.unexcused = t.absent - t.excused;
    t.present = t.expected - t.absent;
    return t;
  };

  const students = [...new Set(rooms.flatMap((r) => r.students))];
  const subjects: [AttendanceScope, string][] = [
    ...rooms.map((r) => ["GROUP", r.groupId] as [AttendanceScope, string]),
    ...schools.map((s) => ["SCHOOL", s] as [AttendanceScope, string]),
    ["REGION", region],
    ["REGION", otherRegion],
    ...students.map((s) => ["STUDENT", s] as [AttendanceScope, string]),
  ];
  const ranges: [string, string][] = [[from, to], [utcDate(-4), utcDate(-2)], [utcDate(-3), utcDate(-3)], [utcDate(-30), utcDate(-7)]];
  for (const [lo, hi] of ranges) {
    const answers = await Promise.all(subjects.map(([scope, id]) => gql(server, AttendanceStatsDocument, { scope, id, from: lo, to: hi }, admin.token)));
    subjects.forEach(([scope, id], i) => {
      const { attendanceRate, lessons, expected, present, absent, excused, unexcused, late, approvedActivity } = answers[i].data!.attendanceStats;
      const got = { lessons, expected, present, absent, excused, unexcused, late, approvedActivity };
      const want = bruteForce(scope, id, lo, hi);
      expect({ scope, id, lo, hi, ...got }).toEqual({ scope, id, lo, hi, ...want });
      expect(attendanceRate).toBe(want.expected ? Math.round((want.present / want.expected) * 1e6) / 1e6 : null);
    });
  }
}, 120_000);
