// The API's attendance types: schools, groups and their rolls, registers (lessons) with their marks
// and change history, statistics, the inputs, and the presenters. The register inputs are checked by
// the domain, not by class-validator (the register mutations skip it: it costs more than the rest).
import { ArrayMaxSize, IsOptional } from "class-validator";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { LessonSnapshot } from "../events/catalogue";
import { ABSENCE_KINDS, LESSON_STATUSES, type AbsenceKind, type LessonStatus } from "../models/attendance";
import { MAX_ROSTER_ROWS } from "../domain/attendance/admin";
import { STATS_SCOPES, type StatsScope, type StatsView } from "../domain/attendance/service";
import { ObjectIdString, SafeText } from "./bounds";
import { ConnectionType } from "./relay";
import { enumOf } from "./user";

export const AbsenceKindEnum = enumOf(ABSENCE_KINDS);
registerEnumType(AbsenceKindEnum, {
  name: "AbsenceKind",
  description: "UNEXCUSED and EXCUSED count as absent; LATE and APPROVED_ACTIVITY (school business elsewhere) as present",
  valuesConfig: {
    UNEXCUSED: { description: "Absent without an excuse" },
    EXCUSED: { description: "Absent with an excuse (illness, a note)" },
    LATE: { description: "Came late: counted as present" },
    APPROVED_ACTIVITY: { description: "Away on school business (a reason is required): counted as present" },
  },
});
export const LessonStatusEnum = enumOf(LESSON_STATUSES);
registerEnumType(LessonStatusEnum, {
  name: "LessonStatus",
  description: "OPEN: register started; COMPLETED: everyone not marked was present",
  valuesConfig: {
    OPEN: { description: "Started (absences reported) but not completed: listed by openLessons" },
    COMPLETED: { description: "completeLesson ran: everyone on the roll not marked absent was present; counts are set" },
  },
});
export const AttendanceScopeEnum = enumOf(STATS_SCOPES);
registerEnumType(AttendanceScopeEnum, {
  name: "AttendanceScope",
  description: "What attendanceStats totals up",
  valuesConfig: {
    STUDENT: { description: "One student (id: the student's id)" },
    GROUP: { description: "One group (id: the group's id)" },
    SCHOOL: { description: "One school (id: the school's id)" },
    REGION: { description: "Every school of a region (id: the region's name)" },
  },
});
export const REGISTER_ACTIONS = ["REPORT", "RETRACT", "COMPLETE"] as const;
export type RegisterAction = (typeof REGISTER_ACTIONS)[number];
export const RegisterActionEnum = enumOf(REGISTER_ACTIONS);
registerEnumType(RegisterActionEnum, {
  name: "RegisterAction",
  description: "What was done to a register",
  valuesConfig: {
    REPORT: { description: "Marks reported (reportAbsence)" },
    RETRACT: { description: "Marks removed (retractAbsence)" },
    COMPLETE: { description: "The register was completed (completeLesson)" },
  },
});

const DATE = "School calendar date YYYY-MM-DD, in the school's time zone";
/** The most a region's name may hold. */
export const REGION_LENGTH = 100;

@ObjectType({ description: "A school; its calendar dates are in its time zone" })
export class School {
  @Field(() => ID, { description: "The school id" })
  id: string;

  @Field({ description: "Name" })
  name: string;

  @Field({ description: "The region it belongs to (attendanceStats scope REGION takes this name)" })
  region: string;

  @Field({ description: "IANA time zone" })
  timeZone: string;
}
export const SchoolConnection = ConnectionType(School);

@ObjectType({ description: "A class: a school's group of students and its teachers" })
export class Group {
  @Field(() => ID, { description: "The group id" })
  id: string;

  @Field({ description: "Name, e.g. 7B" })
  name: string;

  schoolId: string;
}
export const GroupConnection = ConnectionType(Group);

@ObjectType({ description: "A student's period on a group's roll" })
export class RollEntry {
  @Field(() => ID, { description: "The student" })
  studentId: string;

  @Field({ description: `First day on the roll (${DATE})` })
  from: string;

  @Field(() => String, { nullable: true, description: "First day off the roll again; null while on it" })
  to: string | null;
}
export const RollEntryConnection = ConnectionType(RollEntry);

@ObjectType({ description: "A mark on a register: only absences (and late arrivals) are written" })
export class Absence {
  @Field(() => ID, { description: "The student marked" })
  studentId: string;

  @Field(() => AbsenceKindEnum, { description: "Absent (UNEXCUSED, EXCUSED) or present but marked (LATE, APPROVED_ACTIVITY)" })
  kind: AbsenceKind;

  @Field(() => String, { nullable: true, description: "Why, as reported (required for APPROVED_ACTIVITY)" })
  reason: string | null;

  @Field(() => Date, { description: "When the mark was last reported" })
  reportedAt: Date;

  reportedBy: string;
}

@ObjectType({ description: "A student's mark as changed by one register change (kind null: retracted)" })
export class AbsenceChange {
  @Field(() => ID, { description: "The student" })
  studentId: string;

  @Field(() => AbsenceKindEnum, { nullable: true, description: "The mark given; null: the mark was retracted" })
  kind: AbsenceKind | null;
}

@ObjectType({ description: "One change of a register: the audit trail" })
export class LessonChange {
  @Field(() => RegisterActionEnum, { description: "What was done" })
  action: RegisterAction;

  @Field(() => Date, { description: "When" })
  at: Date;

  @Field(() => Int, { description: "The register's version after it" })
  version: number;

  @Field(() => [AbsenceChange], { description: "The marks it set or retracted (none for COMPLETE)" })
  changes: AbsenceChange[];

  byId: string;
}

@ObjectType({ description: "The register of one lesson: (group, date, period)" })
export class Lesson {
  @Field(() => ID, { description: "The register id" })
  id: string;

  @Field({ description: DATE })
  date: string;

  @Field(() => Int, { description: "Period of the day, 1 to 24" })
  period: number;

  @Field(() => LessonStatusEnum, { description: "OPEN while being taken; COMPLETED once completeLesson ran" })
  status: LessonStatus;

  @Field(() => [Absence], { description: "The marks: only absences and late arrivals are written, everyone else is present" })
  absences: Absence[];

  @Field(() => Int, { nullable: true, description: "Students on the roll when completed" })
  roster: number | null;

  @Field(() => Int, { nullable: true, description: "roster - absent (late and approved activity count as present)" })
  present: number | null;

  @Field(() => Int, { nullable: true, description: "UNEXCUSED + EXCUSED" })
  absent: number | null;

  @Field(() => Int, { nullable: true, description: "LATE marks (counted as present)" })
  late: number | null;

  @Field(() => Int, { nullable: true, description: "EXCUSED absences" })
  excused: number | null;

  @Field(() => Int, { nullable: true, description: "APPROVED_ACTIVITY marks (school business elsewhere, counted as present)" })
  approvedActivity: number | null;

  @Field(() => Date, { description: "When the register was taken (first report or completion)" })
  takenAt: Date;

  @Field(() => Date, { nullable: true, description: "When it was completed (null while OPEN)" })
  completedAt: Date | null;

  @Field(() => Date, { description: "When it last changed" })
  changedAt: Date;

  @Field(() => Int, { description: "Grows by one with every change" })
  version: number;

  groupId: string;
  takenBy: string;
  completedBy: string | null;
  changedBy: string;
}
export const LessonConnection = ConnectionType(Lesson);

@ObjectType({ description: "A register changed, for live dashboards" })
export class AttendanceChange {
  @Field(() => RegisterActionEnum, { description: "What was done to the register" })
  action: RegisterAction;

  @Field(() => [ID], { description: "Students whose marks the change touched" })
  students: string[];

  @Field(() => Lesson, { description: "The register after the change" })
  lesson: Lesson;
}

@ObjectType({ description: "Attendance over a date range, from daily rollups of completed registers" })
export class AttendanceStats {
  @Field(() => AttendanceScopeEnum, { description: "What the totals cover" })
  scope: StatsScope;

  @Field(() => ID, { description: "The student, group or school id, or the region name" })
  id: string;

  @Field({ description: "First day counted (School calendar date YYYY-MM-DD, in the school's time zone)" })
  from: string;

  @Field({ description: "Last day counted (School calendar date YYYY-MM-DD, in the school's time zone)" })
  to: string;

  @Field(() => Int, { description: "Completed registers" })
  lessons: number;

  @Field(() => Int, { description: "Student-lessons expected (on the roll)" })
  expected: number;

  @Field(() => Int, { description: "Student-lessons present (late and approved activity included)" })
  present: number;

  @Field(() => Int, { description: "Student-lessons absent (excused + unexcused)" })
  absent: number;

  @Field(() => Int, { description: "EXCUSED absences" })
  excused: number;

  @Field(() => Int, { description: "UNEXCUSED absences" })
  unexcused: number;

  @Field(() => Int, { description: "LATE arrivals" })
  late: number;

  @Field(() => Int, { description: "APPROVED_ACTIVITY marks" })
  approvedActivity: number;

  @Field(() => Float, { nullable: true, description: "present / expected (null when nothing was expected)" })
  attendanceRate: number | null;

  @Field(() => Float, { nullable: true, description: "absent / expected (null when nothing was expected)" })
  absenceRate: number | null;

  @Field(() => Float, { nullable: true, description: "unexcused / expected (null when nothing was expected)" })
  unexcusedRate: number | null;

  @Field(() => Float, { nullable: true, description: "late / expected (null when nothing was expected)" })
  lateRate: number | null;
}

@ObjectType({ description: "What importRoster did" })
export class RosterImportResult {
  @Field(() => Int, { description: "Students put on a roll" })
  added: number;

  @Field(() => Int, { description: "Rows whose student was already on that roll" })
  alreadyOnRoll: number;

  @Field(() => Int, { description: "Roster-only STUDENT accounts created" })
  created: number;

  @Field(() => [ID], { description: "The student of each row, in row order" })
  studentIds: string[];
}

@InputType({ description: "A new school" })
export class CreateSchoolInput {
  @Field({ description: "Name, 1 to 200 characters" })
  @SafeText(200)
  name: string;

  @Field({ description: "Region, 1 to 100 characters" })
  @SafeText(REGION_LENGTH)
  region: string;

  @Field(() => String, { nullable: true, description: "IANA time zone (default ATTENDANCE_DEFAULT_TIME_ZONE)" })
  @IsOptional()
  @SafeText(64)
  timeZone?: string | null;
}

@InputType({ description: "A new group (class) of a school" })
export class CreateGroupInput {
  @Field(() => ID, { description: "The school" })
  schoolId: string;

  @Field({ description: "Name, 1 to 100 characters" })
  @SafeText(100)
  name: string;
}

@InputType({ description: "studentId (an existing STUDENT) or name (creates a roster-only STUDENT)" })
export class RosterRowInput {
  @Field(() => ID, { description: "The group whose roll the student joins" })
  groupId: string;

  @Field(() => ID, { nullable: true, description: "An existing STUDENT account" })
  @IsOptional()
  studentId?: string | null;

  @Field(() => String, { nullable: true, description: "A new roster-only student of this name (when studentId is not given)" })
  @IsOptional()
  @SafeText(200, { min: 0 })
  name?: string | null;
}

@InputType({ description: "Students to put on rolls, in bulk" })
export class ImportRosterInput {
  @Field(() => [RosterRowInput], { description: `At most ${MAX_ROSTER_ROWS} rows` })
  @ArrayMaxSize(MAX_ROSTER_ROWS)
  rows: RosterRowInput[];

  @Field(() => String, { nullable: true, description: `First day on the roll (${DATE}); default the school's today` })
  @IsOptional()
  effectiveFrom?: string | null;
}

@InputType({ description: "Students to take off a group's roll" })
export class RemoveFromRosterInput {
  @Field(() => ID, { description: "The group" })
  groupId: string;

  @Field(() => [ID], { description: "The students, at most 10,000" })
  @ArrayMaxSize(MAX_ROSTER_ROWS)
  @ObjectIdString({ each: true })
  studentIds: string[];

  @Field(() => String, { nullable: true, description: `First day off the roll (${DATE}); default the school's today` })
  @IsOptional()
  effectiveFrom?: string | null;
}

@InputType({ description: "One mark to report on a register" })
export class AbsenceInput {
  @Field(() => ID, { description: "A student on the group's roll (STUDENT_NOT_IN_GROUP otherwise)" })
  studentId: string;

  @Field(() => AbsenceKindEnum, { description: "The mark" })
  kind: AbsenceKind;

  @Field(() => String, { nullable: true, description: "Required for APPROVED_ACTIVITY" })
  @IsOptional()
  @SafeText(500, { min: 0, multiline: true })
  reason?: string | null;
}

/** Which register: (group, date, period). Validated by the domain (the register mutations skip class-validator). */
@InputType("LessonRefInput")
class LessonRefInput {
  @Field(() => ID, { description: "The group" })
  groupId: string;

  @Field({ description: DATE })
  date: string;

  @Field(() => Int, { description: "1-24" })
  period: number;
}

@InputType({ description: "Marks to report on a register: (group, date, period)" })
export class ReportAbsenceInput extends LessonRefInput {
  @Field(() => [AbsenceInput], { description: "May be empty: the register is started with no absences (at most 1,000)" })
  absences: AbsenceInput[];
}

@InputType({ description: "Marks to remove from a register: (group, date, period)" })
export class RetractAbsenceInput extends LessonRefInput {
  @Field(() => [ID], { description: "At most 1,000" })
  studentIds: string[];
}

export function toLesson(l: LessonSnapshot): Lesson {
  return {
    id: l.id,
    date: l.date,
    period: l.period,
    status: l.status,
    absences: l.absences.map((a) => ({ studentId: a.studentId, kind: a.kind, reason: a.reason, reportedAt: new Date(a.reportedAt), reportedBy: a.reportedBy })),
    roster: l.roster,
    present: l.roster === null || l.absent === null ? null : l.roster - l.absent,
    absent: l.absent,
    late: l.late,
    excused: l.excused,
    approvedActivity: l.approvedActivity,
    takenAt: new Date(l.takenAt),
    completedAt: l.completedAt === null ? null : new Date(l.completedAt),
    changedAt: new Date(l.changedAt),
    version: l.version,
    groupId: l.groupId,
    takenBy: l.takenBy,
    completedBy: l.completedBy,
    changedBy: l.changedBy,
  };
}

export function toStats(s: StatsView): AttendanceStats {
  const rate = (n: number) => (s.expected ? Math.round((n / s.expected) * 1e6) / 1e6 : null);
  return {
    ...s,
    attendanceRate: rate(s.present),
    absenceRate: rate(s.absent),
    unexcusedRate: rate(s.unexcused),
    lateRate: rate(s.late),
  };
}
