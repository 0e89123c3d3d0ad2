// Attendance: registers (report, retract, complete), reads (lessons, open registers, history) and
// statistics. The register rules run in the engine's Lua scripts; this service validates input,
// judges dates on the school's calendar, authorizes reads, and publishes what changed.
import { Types } from "mongoose";
import {
  canCorrectAnyRegister,
  canReadGroupAttendance,
  canReadRegionAttendance,
  canReadSchoolAttendance,
  canReadStudentAttendance,
} from "../../auth/policies";
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import type { LessonSnapshot } from "../../events/catalogue";
import {
  ABSENCE_KINDS,
  GroupModel,
  GroupTeacherModel,
  LessonChangeModel,
  LessonModel,
  RollEntryModel,
  SchoolModel,
  type AbsenceKind,
  type GroupDoc,
  type LessonChangeDoc,
  type LessonDoc,
  type RollEntryDoc,
  type SchoolDoc,
} from "../../models/attendance";
import type { Clock } from "../../platform/clock";
import { fail } from "../../platform/errors";
import { pageById, type Page } from "../../platform/pagination";
import { datesBetween, daysBetween, endOfDayAfter, isCalendarDate, judgeLessonDate, localDate } from "./dates";
import type { AttendanceDirectory } from "./directory";
import { isSafeText } from "../../platform/inputRules";
import { isObjectId } from "../../platform/ids";
import { loadExisting } from "../../platform/loader";
import { lessonId, type AttendanceEngine, type Counters, type GroupMeta, type RegisterCall } from "./engine";
import { KIND_CODES } from "./registerHash";
import { actorOf } from "../../events/catalogue";

export const STATS_SCOPES = ["STUDENT", "GROUP", "SCHOOL", "REGION"] as const;
export type StatsScope = (typeof STATS_SCOPES)[number];
/** The longest range one attendanceStats call may span (a school year and some). */
export const MAX_STATS_DAYS = 400;
export const MAX_PERIOD = 24;
const MAX_REASON = 500;

export interface AbsenceInput {
  studentId: string;
  kind: AbsenceKind;
  reason?: string | null;
}

export interface LessonRef {
  groupId: string;
  date: string;
  period: number;
}

export interface StatsView {
  scope: StatsScope;
  id: string;
  from: string;
  to: string;
  /** Completed registers counted (for STUDENT: those of the student's groups while on their roll). */
  lessons: number;
  expected: number;
  present: number;
  absent: number;
  excused: number;
  unexcused: number;
  late: number;
  approvedActivity: number;
}


export class AttendanceService {
  constructor(
    private readonly deps: {
      engine: AttendanceEngine;
      directory: AttendanceDirectory;
      events: EventBus;
      clock: Clock;
      windowDays: number;
    },
  ) {}

  /** Upserts the register and its absences; re-reporting the same absence changes nothing. */
  async reportAbsence(user: AuthUser, ref: LessonRef, absences: AbsenceInput[]): Promise<LessonSnapshot> {
    requireSize(absences.length);
    const seen = new Set<string>();
    const extra: string[] = [];
    for (const a of absences) {
      if (!isObjectId(a.studentId)) throw fail("BAD_USER_INPUT", `Not a student id: ${a.studentId}`, "STUDENT_NOT_IN_GROUP", { studentId: a.studentId });
      if (seen.has(a.studentId)) throw fail("BAD_USER_INPUT", `Student ${a.studentId} is listed twice`, "DUPLICATE_STUDENT");
      seen.add(a.studentId);
      if (!ABSENCE_KINDS.includes(a.kind)) throw fail("BAD_USER_INPUT", `Unknown kind ${a.kind}`, "INVALID_KIND");
      const reason = (a.reason ?? "").trim();
      if (reason.length > MAX_REASON) throw fail("BAD_USER_INPUT", `A reason has at most ${MAX_REASON} characters`, "REASON_TOO_LONG");
      if (!isSafeText(reason, { min: 0, max: MAX_REASON, multiline: true })) throw fail("BAD_USER_INPUT", "A reason cannot hold control or bidi-override characters", "INVALID_REASON");
      if (a.kind === "APPROVED_ACTIVITY" && !reason) throw fail("BAD_USER_INPUT", "APPROVED_ACTIVITY needs a reason (which activity)", "REASON_REQUIRED");
      extra.push(a.studentId, KIND_CODES[a.kind], reason);
    }
    const call = await this.prepare(user, ref);
    const r = await this.deps.engine.register("atReport", call, extra);
    if (r.changed) await this.deps.events.publish("AbsenceReported", { lesson: r.lesson, students: [...seen] }, actorOf(user));
    return r.lesson;
  }

  async retractAbsence(user: AuthUser, ref: LessonRef, studentIds: string[]): Promise<LessonSnapshot> {
    requireSize(studentIds.length);
    const ids = [...new Set(studentIds)];
    if (ids.some((id) => !isObjectId(id))) throw fail("BAD_USER_INPUT", "Not a student id", "STUDENT_NOT_IN_GROUP");
    const call = await this.prepare(user, ref);
    const r = await this.deps.engine.register("atRetract", call, ids);
    if (r.changed) await this.deps.events.publish("AbsenceRetracted", { lesson: r.lesson, students: ids }, actorOf(user));
    return r.lesson;
  }

  /** Everyone on the roll not marked absent is present; completing again changes nothing. */
  async completeLesson(user: AuthUser, ref: LessonRef): Promise<LessonSnapshot> {
    const call = await this.prepare(user, ref);
    const r = await this.deps.engine.register("atComplete", call, []);
    if (r.changed) await this.deps.events.publish("LessonCompleted", { lesson: r.lesson }, actorOf(user));
    return r.lesson;
  }

  /** Input checks and the school-calendar verdict, before the register script runs. */
  private async prepare(user: AuthUser, ref: LessonRef): Promise<RegisterCall> {
    const group = await this.groupOf(ref.groupId);
    requirePeriod(ref.period);
    const now = this.deps.clock();
    const verdict = judgeLessonDate(ref.date, localDate(group.timeZone, now), this.deps.windowDays);
    if (verdict === "INVALID_DATE") throw fail("BAD_USER_INPUT", "date must be a calendar date YYYY-MM-DD, not in the school's future", "INVALID_DATE");
    if (verdict === "LESSON_LOCKED") {
      throw fail("CONFLICT", `Registers may change for ${this.deps.windowDays} days after the lesson; this one is locked`, "LESSON_LOCKED");
    }
    return {
      lessonId: lessonId(group.id, ref.date, ref.period),
      group,
      date: ref.date,
      period: ref.period,
      actorId: user.id,
      admin: canCorrectAnyRegister(user),
      now,
      expireAt: endOfDayAfter(ref.date, this.deps.windowDays),
    };
  }

  // --- reads ---------------------------------------------------------------------------------------

  async lesson(user: AuthUser, ref: LessonRef): Promise<LessonSnapshot | null> {
    const group = await this.groupOf(ref.groupId);
    requirePeriod(ref.period);
    if (!isCalendarDate(ref.date)) throw fail("BAD_USER_INPUT", "date must be a calendar date YYYY-MM-DD", "INVALID_DATE");
    await this.authorizeGroup(user, group);
    const id = lessonId(group.id, ref.date, ref.period);
    const hot = await this.deps.engine.hotLesson(id);
    if (hot) return hot;
    const doc = await LessonModel.findById(id).lean<LessonDoc>();
    return doc ? fromDoc(doc) : null;
  }

  /** A group's registers over dates, from the durable copy (at most a writer batch, ~0.5 s, behind). */
  async lessons(user: AuthUser, groupId: string, from: string, to: string, first: number, after?: string | null): Promise<Page<LessonSnapshot>> {
    const group = await this.groupOf(groupId);
    requireRange(from, to);
    await this.authorizeGroup(user, group);
    const lower = after ? decodeLessonCursor(after, group.id) : `${group.id}:${from}`;
    const rows = await LessonModel.find({ _id: { [after ? "$gt" : "$gte"]: lower, $lt: `${group.id}:${to};` } })
      .sort({ _id: 1 })
      .limit(first + 1)
      .lean<LessonDoc[]>();
    return { items: rows.slice(0, first).map(fromDoc), hasNextPage: rows.length > first };
  }

  /** Registers started on `date` but not completed, across a school. */
  async openLessons(user: AuthUser, schoolId: string, date: string): Promise<LessonSnapshot[]> {
    const school = await this.deps.directory.school(schoolId);
    if (!isCalendarDate(date)) throw fail("BAD_USER_INPUT", "date must be a calendar date YYYY-MM-DD", "INVALID_DATE");
    if (!canReadSchoolAttendance(user, await this.deps.directory.isSchoolStaff(schoolId, user.id))) throw notStaff();
    const today = localDate(school.timeZone, this.deps.clock());
    let lessons: LessonSnapshot[];
    if (daysBetween(date, today) <= this.deps.windowDays) {
      lessons = (await this.deps.engine.hotLessons(await this.deps.engine.openLessonIds(schoolId, date))).filter((l) => l.status === "OPEN");
    } else {
      const docs = await LessonModel.find({ school: school._id, date, status: "OPEN" }).lean<LessonDoc[]>();
      lessons = docs.map(fromDoc);
    }
    return lessons.sort((a, b) => (a.groupId === b.groupId ? a.period - b.period : a.groupId < b.groupId ? -1 : 1));
  }

  /** The audit trail of a register: who took and changed it, and when (from the durable copy). */
  async history(lessonId: string): Promise<LessonChangeDoc[]> {
    const docs = await LessonChangeModel.find({ lesson: lessonId }).lean<LessonChangeDoc[]>();
    return docs.sort((a, b) => a.version - b.version);
  }

  // --- schools, groups, rolls ---------------------------------------------------------------------

  schools(region: string | null | undefined, first: number, after?: string | null): Promise<Page<SchoolDoc>> {
    return pageById<SchoolDoc>(SchoolModel, region ? { region } : {}, first, after);
  }

  async groupsOfSchool(schoolId: string, first: number, after?: string | null): Promise<Page<GroupDoc>> {
    const school = await this.deps.directory.school(schoolId);
    return pageById<GroupDoc>(GroupModel, { school: school._id }, first, after);
  }

  async group(user: AuthUser, groupId: string): Promise<GroupMeta> {
    const group = await this.groupOf(groupId);
    await this.authorizeGroup(user, group);
    return group;
  }

  /** The groups a teacher takes registers for. */
  async groupsTaughtBy(teacherId: string): Promise<GroupMeta[]> {
    const rows = await GroupTeacherModel.find({ teacher: new Types.ObjectId(teacherId) }).select({ group: 1 }).lean<{ group: Types.ObjectId }[]>();
    const metas = await loadExisting(this.deps.engine.groups, rows.map((r) => r.group.toHexString()));
    return metas.sort((a, b) => a.name.localeCompare(b.name));
  }

  async teachersOf(groupId: string): Promise<string[]> {
    const rows = await GroupTeacherModel.find({ group: new Types.ObjectId(groupId) }).select({ teacher: 1 }).lean<{ teacher: Types.ObjectId }[]>();
    return rows.map((r) => r.teacher.toHexString());
  }

  /** Roll periods of a group (current ones only unless `all`), paged. */
  roll(groupId: string, all: boolean, first: number, after?: string | null): Promise<Page<RollEntryDoc>> {
    const filter = { group: new Types.ObjectId(groupId), ...(all ? {} : { to: null }) };
    return pageById<RollEntryDoc>(RollEntryModel, filter, first, after);
  }

  // --- statistics ----------------------------------------------------------------------------------

  async stats(user: AuthUser, scope: StatsScope, id: string, from: string, to: string): Promise<StatsView> {
    requireRange(from, to);
    const dates = datesBetween(from, to);
    const base = { scope, id, from, to };
    switch (scope) {
      case "GROUP": {
        const group = await this.groupOf(id);
        await this.authorizeGroup(user, group);
        return { ...base, ...totals(await this.deps.engine.rollups(`G:${group.id}`, dates)) };
      }
      case "SCHOOL": {
        await this.deps.directory.school(id);
        if (!canReadSchoolAttendance(user, await this.deps.directory.isSchoolStaff(id, user.id))) throw notStaff();
        return { ...base, ...totals(await this.deps.engine.rollups(`S:${id}`, dates)) };
      }
      case "REGION": {
        if (!canReadRegionAttendance(user)) throw fail("FORBIDDEN", "Regional statistics are for ADMIN and OBSERVER", "FORBIDDEN");
        return { ...base, ...totals(await this.deps.engine.rollups(`R:${id}`, dates)) };
      }
      case "STUDENT":
        return { ...base, ...(await this.studentTotals(user, id, from, to, dates)) };
    }
  }

  /**
   * A student's expected lessons are the completed registers of their groups on the dates they were
   * on the roll (from the groups' daily rollups); their marks come from their own sparse rollup.
   */
  private async studentTotals(user: AuthUser, studentId: string, from: string, to: string, dates: string[]) {
    if (!isObjectId(studentId)) throw fail("NOT_FOUND", "Student not found", "USER_NOT_FOUND");
    const periods = await RollEntryModel.find({ student: new Types.ObjectId(studentId) })
      .select({ group: 1, school: 1, from: 1, to: 1 })
      .lean<{ group: Types.ObjectId; school: Types.ObjectId; from: string; to: string | null }[]>();
    let staff = false;
    if (user.id !== studentId && user.role === "INSTRUCTOR") {
      for (const school of new Set(periods.map((p) => p.school.toHexString()))) {
        if ((staff = await this.deps.directory.isSchoolStaff(school, user.id))) break;
      }
    }
    if (!canReadStudentAttendance(user, studentId, staff)) throw fail("FORBIDDEN", "Not your student", "FORBIDDEN");
    let lessons = 0;
    for (const p of periods) {
      const within = dates.filter((d) => d >= p.from && (p.to === null || d < p.to) && d >= from && d <= to);
      for (const c of await this.deps.engine.rollups(`G:${p.group.toHexString()}`, within)) lessons += c[0];
    }
    let [absent, excused, late, approvedActivity] = [0, 0, 0, 0];
    for (const m of await this.deps.engine.studentMarks(studentId, dates)) {
      absent += m[0];
      excused += m[1];
      late += m[2];
      approvedActivity += m[3];
    }
    return { lessons, expected: lessons, present: lessons - absent, absent, excused, unexcused: absent - excused, late, approvedActivity };
  }

  // --- helpers -------------------------------------------------------------------------------------

  async groupOf(groupId: string): Promise<GroupMeta> {
    if (!isObjectId(groupId)) throw fail("NOT_FOUND", "Group not found", "GROUP_NOT_FOUND");
    return this.deps.engine.group(groupId);
  }

  async authorizeGroup(user: AuthUser, group: GroupMeta): Promise<void> {
    if (canReadGroupAttendance(user, { isGroupTeacher: false, isSchoolStaff: false })) return;
    const isGroupTeacher = await this.deps.engine.isGroupTeacher(group, user.id);
    const isSchoolStaff = isGroupTeacher || (await this.deps.directory.isSchoolStaff(group.schoolId, user.id));
    if (!canReadGroupAttendance(user, { isGroupTeacher, isSchoolStaff })) throw fail("FORBIDDEN", "Not a teacher of this group or its school", "NOT_GROUP_TEACHER");
  }
}

const notStaff = () => fail("FORBIDDEN", "Not on this school's staff", "FORBIDDEN");

/** At most this many students per register call (a group's size, with room to spare). */
export const MAX_MARKS_PER_CALL = 1000;

function requireSize(n: number): void {
  if (n > MAX_MARKS_PER_CALL) throw fail("BAD_USER_INPUT", `At most ${MAX_MARKS_PER_CALL} students per call`, "TOO_MANY_STUDENTS");
}

function requirePeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1 || period > MAX_PERIOD) {
    throw fail("BAD_USER_INPUT", `period must be 1-${MAX_PERIOD}`, "INVALID_PERIOD");
  }
}

function requireRange(from: string, to: string): void {
  if (!isCalendarDate(from) || !isCalendarDate(to) || from > to) {
    throw fail("BAD_USER_INPUT", "from and to must be dates YYYY-MM-DD, from <= to", "INVALID_DATE");
  }
  if (daysBetween(from, to) >= MAX_STATS_DAYS) throw fail("BAD_USER_INPUT", `At most ${MAX_STATS_DAYS} days per call`, "RANGE_TOO_LONG");
}

/** Sums daily rollups [n, e, a, x, l, ap] into totals. */
export function totals(rows: Counters[]) {
  const t = [0, 0, 0, 0, 0, 0];
  for (const r of rows) for (let i = 0; i < 6; i++) t[i] += r[i];
  const [lessons, expected, absent, excused, late, approvedActivity] = t;
  return { lessons, expected, present: expected - absent, absent, excused, unexcused: absent - excused, late, approvedActivity };
}

export const encodeLessonCursor = (id: string) => Buffer.from(`lesson:${id}`).toString("base64url");

function decodeLessonCursor(cursor: string, groupId: string): string {
  const raw = Buffer.from(cursor, "base64url").toString();
  if (!raw.startsWith(`lesson:${groupId}:`)) throw fail("BAD_USER_INPUT", "Invalid cursor", "INVALID_CURSOR");
  return raw.slice(7);
}

/** A stored register as a snapshot. */
export function fromDoc(d: LessonDoc): LessonSnapshot {
  const ms = (x: Date | null) => (x ? new Date(x).getTime() : null);
  return {
    id: d._id,
    groupId: d.group.toHexString(),
    schoolId: d.school.toHexString(),
    region: d.region,
    date: d.date,
    period: d.period,
    status: d.status,
    absences: d.absences.map((a) => ({
      studentId: a.student.toHexString(),
      kind: a.kind,
      reason: a.reason ?? null,
      reportedAt: new Date(a.reportedAt).getTime(),
      reportedBy: a.reportedBy.toHexString(),
    })),
    roster: d.roster ?? null,
    absent: d.absent ?? null,
    excused: d.excused ?? null,
    late: d.late ?? null,
    approvedActivity: d.approvedActivity ?? null,
    takenAt: new Date(d.takenAt).getTime(),
    takenBy: d.takenBy.toHexString(),
    completedAt: ms(d.completedAt),
    completedBy: d.completedBy ? d.completedBy.toHexString() : null,
    changedAt: new Date(d.changedAt).getTime(),
    changedBy: d.changedBy.toHexString(),
    version: d.version,
  };
}
