// A dataset generator for attendance: schools, groups, teachers, students on rolls, and a term of
// completed registers with realistic absences, from a few schools up to national scale. It streams:
// one school at a time, documents written with insertMany in chunks, the rollups of each chunk added
// to Redis as it goes, so memory stays bounded whatever the size. The history ends before the
// correction window, so generated registers are all locked and never meet live ones.
import { Types } from "mongoose";
import { GroupModel, GroupTeacherModel, LessonModel, RollEntryModel, SchoolModel, type AbsenceKind } from "../../src/models/attendance";
import { UserModel } from "../../src/models/user";
import { NO_PASSWORD, rosterEmail } from "../../src/domain/attendance/admin";
import { addDays, localDate } from "../../src/domain/attendance/dates";
import type { AttendanceEngine } from "../../src/domain/attendance/engine";
import { mulberry32 } from "./random";

export interface DatasetSpec {
  regions: number;
  schoolsPerRegion: number;
  groupsPerSchool: number;
  studentsPerGroup: number;
  /** School days (Monday to Friday) of completed registers, ending before the correction window. */
  days: number;
  periodsPerDay: number;
  /** Share of student-lessons with a mark (absent, late or elsewhere): 6-10% in real schools. */
  markRate: number;
  timeZone: string;
  seed: number;
  /** An argon2 hash every generated teacher gets (one hash for all: no per-account cost), or none. */
  teacherPasswordHash?: string;
  /** Prefix of region names. */
  regionPrefix?: string;
}

export interface DatasetSchool {
  schoolId: string;
  region: string;
  groupIds: string[];
  teacherIds: string[];
  /** First and last date of the generated history. */
  from: string;
  to: string;
}

export interface DatasetTotals {
  schools: number;
  groups: number;
  students: number;
  lessons: number;
  absences: number;
  ms: number;
}

const CHUNK = 2000;
/** Of the marks: mostly unexcused or excused absences, some late, a few away on school business. */
const KIND_WEIGHTS: [AbsenceKind, number][] = [["UNEXCUSED", 0.5], ["EXCUSED", 0.3], ["LATE", 0.15], ["APPROVED_ACTIVITY", 0.05]];

export async function generateDataset(
  spec: DatasetSpec,
  engine: AttendanceEngine,
  windowDays: number,
  onSchool: (school: DatasetSchool) => void | Promise<void> = () => undefined,
): Promise<DatasetTotals> {
  const started = Date.now();
  const random = mulberry32(spec.seed);
  const to = addDays(localDate(spec.timeZone, Date.now()), -windowDays - 1);
  const dates = schoolDays(to, spec.days);
  const totals: DatasetTotals = { schools: 0, groups: 0, students: 0, lessons: 0, absences: 0, ms: 0 };
  const now = new Date();
  for (let r = 0; r < spec.regions; r++) {
    const region = `${spec.regionPrefix ?? "Region"} ${r + 1}`;
    for (let s = 0; s < spec.schoolsPerRegion; s++) {
      const school = await SchoolModel.create({ name: `${region} School ${s + 1}`, region, timeZone: spec.timeZone });
      const schoolId = school._id;
      const groups = Array.from({ length: spec.groupsPerSchool }, (_, g) => ({
        _id: new Types.ObjectId(),
        school: schoolId,
        region,
        timeZone: spec.timeZone,
        name: `Class ${g + 1}`,
        createdAt: now,
        updatedAt: now,
      }));
      await GroupModel.collection.insertMany(groups);
      const teachers = groups.map((g) => {
        const _id = new Types.ObjectId();
        return { _id, email: `teacher-${_id.toHexString()}@teachers.invalid`, name: `Teacher of ${g.name}`, passwordHash: spec.teacherPasswordHash ?? NO_PASSWORD, role: "INSTRUCTOR", createdAt: now, updatedAt: now };
      });
      await UserModel.collection.insertMany(teachers);
      await GroupTeacherModel.collection.insertMany(groups.map((g, i) => ({ group: g._id, school: schoolId, teacher: teachers[i]._id })));

      for (const g of groups) {
        const students = Array.from({ length: spec.studentsPerGroup }, (_, i) => {
          const _id = new Types.ObjectId();
          return { _id, email: rosterEmail(_id), name: `Pupil ${i + 1} of ${g.name}`, passwordHash: NO_PASSWORD, role: "STUDENT", createdAt: now, updatedAt: now };
        });
        await UserModel.collection.insertMany(students);
        await RollEntryModel.collection.insertMany(students.map((st) => ({ group: g._id, school: schoolId, student: st._id, from: dates[0] ?? to, to: null })));
        totals.students += students.length;

        let lessons: ReturnType<typeof lessonDoc>[] = [];
        const flush = async () => {
          if (!lessons.length) return;
          await LessonModel.collection.insertMany(lessons as never[], { ordered: false });
          await engine.addRollups(lessons.flatMap(rollupRows));
          totals.lessons += lessons.length;
          lessons = [];
        };
        for (const date of dates) {
          for (let p = 1; p <= spec.periodsPerDay; p++) {
            const marks = students.filter(() => random() < spec.markRate).map((st) => ({ student: st._id, kind: weighted(random) }));
            totals.absences += marks.length;
            lessons.push(lessonDoc(g, date, p, students.length, marks, teachers[groups.indexOf(g)]._id));
            if (lessons.length >= CHUNK) await flush();
          }
        }
        await flush();
      }
      totals.schools++;
      totals.groups += groups.length;
      await onSchool({
        schoolId: schoolId.toHexString(),
        region,
        groupIds: groups.map((g) => g._id.toHexString()),
        teacherIds: teachers.map((t) => t._id.toHexString()),
        from: dates[0] ?? to,
        to,
      });
    }
  }
  totals.ms = Date.now() - started;
  return totals;
}

function lessonDoc(
  g: { _id: Types.ObjectId; school: Types.ObjectId; region: string },
  date: string,
  period: number,
  roster: number,
  marks: { student: Types.ObjectId; kind: AbsenceKind }[],
  teacher: Types.ObjectId,
) {
  const count = (k: AbsenceKind) => marks.filter((m) => m.kind === k).length;
  const at = new Date(`${date}T08:00:00Z`);
  const absent = count("UNEXCUSED") + count("EXCUSED");
  return {
    _id: `${g._id.toHexString()}:${date}:${period}`,
    group: g._id,
    school: g.school,
    region: g.region,
    date,
    period,
    status: "COMPLETED",
    absences: marks.map((m) => ({ student: m.student, kind: m.kind, reason: m.kind === "APPROVED_ACTIVITY" ? "school trip" : null, reportedAt: at, reportedBy: teacher })),
    roster,
    present: roster - absent,
    absent,
    late: count("LATE"),
    excused: count("EXCUSED"),
    approvedActivity: count("APPROVED_ACTIVITY"),
    takenAt: at,
    takenBy: teacher,
    completedAt: at,
    completedBy: teacher,
    changedAt: at,
    changedBy: teacher,
    version: 2,
  };
}

/** What one completed register adds to the rollups (the same sums the COMPLETE script makes). */
function rollupRows(l: ReturnType<typeof lessonDoc>): { key: string; date: string; values: number[] }[] {
  const values = [1, l.roster, l.absent, l.excused, l.late, l.approvedActivity];
  const rows = [
    { key: `G:${l.group.toHexString()}`, date: l.date, values },
    { key: `S:${l.school.toHexString()}`, date: l.date, values },
    { key: `R:${l.region}`, date: l.date, values },
  ];
  for (const a of l.absences) {
    const k = a.kind;
    rows.push({ key: `ST:${a.student.toHexString()}`, date: l.date, values: [k === "UNEXCUSED" || k === "EXCUSED" ? 1 : 0, k === "EXCUSED" ? 1 : 0, k === "LATE" ? 1 : 0, k === "APPROVED_ACTIVITY" ? 1 : 0] });
  }
  return rows;
}

/** `count` Monday-to-Friday dates ending on or before `last`, oldest first. */
export function schoolDays(last: string, count: number): string[] {
  const out: string[] = [];
  for (let d = last; out.length < count; d = addDays(d, -1)) {
    const day = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (day !== 0 && day !== 6) out.push(d);
  }
  return out.reverse();
}

function weighted(random: () => number): AbsenceKind {
  let x = random();
  for (const [k, w] of KIND_WEIGHTS) if ((x -= w) < 0) return k;
  return "UNEXCUSED";
}
