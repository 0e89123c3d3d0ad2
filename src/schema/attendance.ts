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
});
export const LessonStatusEnum = enumOf(LESSON_STATUSES);
registerEnumType(LessonStatusEnum, { name: "LessonStatus", description: "OPEN: register started; COMPLETED: everyone not marked was present" });
export const AttendanceScopeEnum = enumOf(STATS_SCOPES);
registerEnumType(AttendanceScopeEnum, { name: "AttendanceScope" });
export const REGISTER_ACTIONS = ["REPORT", "RETRACT", "COMPLETE"] as const;
export type RegisterAction = (typeof REGISTER_ACTIONS)[number];
export const RegisterActionEnum = enumOf(REGISTER_ACTIONS);
registerEnumType(RegisterActionEnum, { name: "RegisterAction" });

const DATE = "School calendar date YYYY-MM-DD, in the school's time zone";
/** The most a region's name may hold. */
export const REGION_LENGTH = 100;

@ObjectType({ description: "A school; its calendar dates are in its time zone" })
export class School {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  region: string;

  @Field({ description: "IANA time zone" })
  timeZone: string;
}
export const SchoolConnection = ConnectionType(School);

@ObjectType({ description: "A class: a school's group of students and its teachers" })
export class Group {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  schoolId: string;
}
export const GroupConnection = ConnectionType(Group);

@ObjectType({ description: "A student's period on a group's roll" })
export class RollEntry {
  @Field(() => ID)
  studentId: string;

  @Field({ description: `First day on the roll (${DATE})` })
  from: string;

  @Field(() => String, { nullable: true, description: "First day off the roll again; null while on it" })
  to: string | null;
}
export const RollEntryConnection = ConnectionType(RollEntry);

@ObjectType({ description: "A mark on a register: only absences (and late arrivals) are written" })
export class Absence {
  @Field(() => ID)
  studentId: string;

  @Field(() => AbsenceKindEnum)
  kind: AbsenceKind;

  @Field(() => String, { nullable: true })
  reason: string | null;

  @Field(() => Date)
  reportedAt: Date;

  reportedBy: string;
}

@ObjectType({ description: "A student's mark as changed by one register change (kind null: retracted)" })
export class AbsenceChange {
  @Field(() => ID)
  studentId: string;

  @Field(() => AbsenceKindEnum, { nullable: true })
  kind: AbsenceKind | null;
}

@ObjectType({ description: "One change of a register: the audit trail" })
export class LessonChange {
  @Field(() => RegisterActionEnum)
  action: RegisterAction;

  @Field(() => Date)
  at: Date;

  @Field(() => Int)
  version: number;

  @Field(() => [AbsenceChange])
  changes: AbsenceChange[];

  byId: string;
}

@ObjectType({ description: "The register of one lesson: (group, date, period)" })
export class Lesson {
  @Field(() => ID)
  id: string;

  @Field({ description: DATE })
  date: string;

  @Field(() => Int)
  period: number;

  @Field(() => LessonStatusEnum)
  status: LessonStatus;

  @Field(() => [Absence])
  absences: Absence[];

  @Field(() => Int, { nullable: true, description: "Students on the roll when completed" })
  roster: number | null;

  @Field(() => Int, { nullable: true, description: "roster - absent (late and approved activity count as present)" })
  present: number | null;

  @Field(() => Int, { nullable: true, description: "UNEXCUSED + EXCUSED" })
  absent: number | null;

  @Field(() => Int, { nullable: true })
  late: number | null;

  @Field(() => Int, { nullable: true })
  excused: number | null;

  @Field(() => Int, { nullable: true })
  approvedActivity: number | null;

  @Field(() => Date, { description: "When the register was taken (first report or completion)" })
  takenAt: Date;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  @Field(() => Date)
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
  @Field(() => RegisterActionEnum)
  action: RegisterAction;

  @Field(() => [ID], { description: "Students whose marks the change touched" })
  students: string[];

  @Field(() => Lesson)
  lesson: Lesson;
}

@ObjectType({ description: "Attendance over a date range, from daily rollups of completed registers" })
export class AttendanceStats {
  @Field(() => AttendanceScopeEnum)
  scope: StatsScope;

  @Field(() => ID)
  id: string;

  @Field()
  from: string;

  @Field()
  to: string;

  @Field(() => Int, { description: "Completed registers" })
  lessons: number;

  @Field(() => Int, { description: "Student-lessons expected (on the roll)" })
  expected: number;

  @Field(() => Int)
  present: number;

  @Field(() => Int)
  absent: number;

  @Field(() => Int)
  excused: number;

  @Field(() => Int)
  unexcused: number;

  @Field(() => Int)
  late: number;

  @Field(() => Int)
  approvedActivity: number;

  @Field(() => Float, { nullable: true, description: "present / expected (null when nothing was expected)" })
  attendanceRate: number | null;

  @Field(() => Float, { nullable: true })
  absenceRate: number | null;

  @Field(() => Float, { nullable: true })
  unexcusedRate: number | null;

  @Field(() => Float, { nullable: true })
  lateRate: number | null;
}

@ObjectType()
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

@InputType()
export class CreateSchoolInput {
  @Field()
  @SafeText(200)
  name: string;

  @Field()
  @SafeText(REGION_LENGTH)
  region: string;

  @Field(() => String, { nullable: true, description: "IANA time zone (default ATTENDANCE_DEFAULT_TIME_ZONE)" })
  @IsOptional()
  @SafeText(64)
  timeZone?: string | null;
}

@InputType()
export class CreateGroupInput {
  @Field(() => ID)
  schoolId: string;

  @Field()
  @SafeText(100)
  name: string;
}

@InputType({ description: "studentId (an existing STUDENT) or name (creates a roster-only STUDENT)" })
export class RosterRowInput {
  @Field(() => ID)
  groupId: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  studentId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @SafeText(200, { min: 0 })
  name?: string | null;
}

@InputType()
export class ImportRosterInput {
  @Field(() => [RosterRowInput], { description: `At most ${MAX_ROSTER_ROWS} rows` })
  @ArrayMaxSize(MAX_ROSTER_ROWS)
  rows: RosterRowInput[];

  @Field(() => String, { nullable: true, description: `First day on the roll (${DATE}); default the school's today` })
  @IsOptional()
  effectiveFrom?: string | null;
}

@InputType()
export class RemoveFromRosterInput {
  @Field(() => ID)
  groupId: string;

  @Field(() => [ID])
  @ArrayMaxSize(MAX_ROSTER_ROWS)
  @ObjectIdString({ each: true })
  studentIds: string[];

  @Field(() => String, { nullable: true, description: `First day off the roll (${DATE}); default the school's today` })
  @IsOptional()
  effectiveFrom?: string | null;
}

@InputType()
export class AbsenceInput {
  @Field(() => ID)
  studentId: string;

  @Field(() => AbsenceKindEnum)
  kind: AbsenceKind;

  @Field(() => String, { nullable: true, description: "Required for APPROVED_ACTIVITY" })
  @IsOptional()
  @SafeText(500, { min: 0, multiline: true })
  reason?: string | null;
}

/** Which register: (group, date, period). Validated by the domain (the register mutations skip class-validator). */
@InputType("LessonRefInput")
class LessonRefInput {
  @Field(() => ID)
  groupId: string;

  @Field({ description: DATE })
  date: string;

  @Field(() => Int, { description: "1-24" })
  period: number;
}

@InputType()
export class ReportAbsenceInput extends LessonRefInput {
  @Field(() => [AbsenceInput], { description: "May be empty: the register is started with no absences (at most 1,000)" })
  absences: AbsenceInput[];
}

@InputType()
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
