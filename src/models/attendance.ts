// Attendance: schools, groups (classes), who teaches them, who is on their roll, and lessons with
// their absences. Rollups live in Redis (src/domain/attendance/lua/, keys in scripts.ts); these are the durable
// documents they can be rebuilt from.
import "./plugins";
import { Schema, model, type Types } from "mongoose";

export const ABSENCE_KINDS = ["UNEXCUSED", "EXCUSED", "LATE", "APPROVED_ACTIVITY"] as const;
export type AbsenceKind = (typeof ABSENCE_KINDS)[number];
export const LESSON_STATUSES = ["OPEN", "COMPLETED"] as const;
export type LessonStatus = (typeof LESSON_STATUSES)[number];

const schoolSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    region: { type: String, required: true, trim: true },
    /** IANA zone: a school's calendar dates ("today", the correction window) are local to it. */
    timeZone: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
schoolSchema.index({ region: 1 });
export interface SchoolDoc {
  _id: Types.ObjectId;
  name: string;
  region: string;
  timeZone: string;
  createdAt: Date;
}
export const SchoolModel = model("School", schoolSchema);

/** A class. School, region and time zone never change, so instances cache them without invalidation. */
const groupSchema = new Schema(
  {
    school: { type: Schema.Types.ObjectId, required: true },
    region: { type: String, required: true },
    timeZone: { type: String, required: true },
    name: { type: String, required: true, trim: true },
  },
  { timestamps: true, versionKey: false },
);
groupSchema.index({ school: 1, name: 1 }, { unique: true });
export interface GroupDoc {
  _id: Types.ObjectId;
  school: Types.ObjectId;
  region: string;
  timeZone: string;
  name: string;
  createdAt: Date;
}
export const GroupModel = model("Group", groupSchema);

/**
 * One teacher of one group. A document per pair (not an array on the group) so that concurrent
 * assignments are decided by the unique index, not by a read-modify-write.
 */
const groupTeacherSchema = new Schema(
  {
    group: { type: Schema.Types.ObjectId, required: true },
    school: { type: Schema.Types.ObjectId, required: true },
    teacher: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false, collection: "groupteachers" },
);
groupTeacherSchema.index({ group: 1, teacher: 1 }, { unique: true });
groupTeacherSchema.index({ teacher: 1 });
groupTeacherSchema.index({ school: 1, teacher: 1 });
export interface GroupTeacherDoc {
  _id: Types.ObjectId;
  group: Types.ObjectId;
  school: Types.ObjectId;
  teacher: Types.ObjectId;
}
export const GroupTeacherModel = model("GroupTeacher", groupTeacherSchema);

/**
 * A student on a group's roll from `from` (inclusive) to `to` (exclusive; null while current), as
 * school calendar dates (YYYY-MM-DD). The unique index makes re-imports idempotent.
 */
const rollEntrySchema = new Schema(
  {
    group: { type: Schema.Types.ObjectId, required: true },
    school: { type: Schema.Types.ObjectId, required: true },
    student: { type: Schema.Types.ObjectId, required: true },
    from: { type: String, required: true },
    to: { type: String, default: null },
  },
  { versionKey: false, collection: "rollentries" },
);
rollEntrySchema.index({ group: 1, student: 1, from: 1 }, { unique: true });
rollEntrySchema.index({ student: 1 });
rollEntrySchema.index({ group: 1, to: 1 });
export interface RollEntryDoc {
  _id: Types.ObjectId;
  group: Types.ObjectId;
  school: Types.ObjectId;
  student: Types.ObjectId;
  from: string;
  to: string | null;
}
export const RollEntryModel = model("RollEntry", rollEntrySchema);

const absenceSchema = new Schema(
  {
    student: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ABSENCE_KINDS, required: true },
    reason: { type: String, default: null },
    reportedAt: { type: Date, required: true },
    reportedBy: { type: Schema.Types.ObjectId, required: true },
  },
  { _id: false },
);

/**
 * A register: one document per (group, date, period), `_id` = "group:date:period". Only absences are
 * stored; everyone else on the roll was present once the lesson is COMPLETED. Written in batches
 * from the attendance log (newest `version` wins).
 */
const lessonSchema = new Schema(
  {
    _id: { type: String, required: true },
    group: { type: Schema.Types.ObjectId, required: true },
    school: { type: Schema.Types.ObjectId, required: true },
    region: { type: String, required: true },
    date: { type: String, required: true },
    period: { type: Number, required: true },
    status: { type: String, enum: LESSON_STATUSES, required: true },
    absences: { type: [absenceSchema], default: [] },
    roster: { type: Number, default: null },
    present: { type: Number, default: null },
    absent: { type: Number, default: null },
    late: { type: Number, default: null },
    excused: { type: Number, default: null },
    approvedActivity: { type: Number, default: null },
    takenAt: { type: Date, required: true },
    takenBy: { type: Schema.Types.ObjectId, required: true },
    completedAt: { type: Date, default: null },
    completedBy: { type: Schema.Types.ObjectId, default: null },
    changedAt: { type: Date, required: true },
    changedBy: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
  },
  { versionKey: false },
);
// `_id` is "group:date:period": unique per register by itself, and a group's registers over dates are
// one `_id` range, so no other unique index is needed.
lessonSchema.index({ school: 1, date: 1, status: 1 });
export interface AbsenceDoc {
  student: Types.ObjectId;
  kind: AbsenceKind;
  reason: string | null;
  reportedAt: Date;
  reportedBy: Types.ObjectId;
}
export interface LessonDoc {
  _id: string;
  group: Types.ObjectId;
  school: Types.ObjectId;
  region: string;
  date: string;
  period: number;
  status: LessonStatus;
  absences: AbsenceDoc[];
  roster: number | null;
  present: number | null;
  absent: number | null;
  late: number | null;
  excused: number | null;
  approvedActivity: number | null;
  takenAt: Date;
  takenBy: Types.ObjectId;
  completedAt: Date | null;
  completedBy: Types.ObjectId | null;
  changedAt: Date;
  changedBy: Types.ObjectId;
  version: number;
}
export const LessonModel = model("Lesson", lessonSchema);

/** The audit trail: one document per change of a register (append-only, `_id` = log entry id). */
const lessonChangeSchema = new Schema(
  {
    _id: { type: String, required: true },
    lesson: { type: String, required: true },
    action: { type: String, required: true },
    by: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
    /** "studentId:KIND" per student changed ("studentId:-" = retracted). */
    changes: { type: [String], default: [] },
    version: { type: Number, required: true },
  },
  { versionKey: false, collection: "lessonchanges" },
);
lessonChangeSchema.index({ lesson: 1, version: 1 });
export interface LessonChangeDoc {
  _id: string;
  lesson: string;
  action: "REPORT" | "RETRACT" | "COMPLETE";
  by: Types.ObjectId;
  at: Date;
  changes: string[];
  version: number;
}
export const LessonChangeModel = model("LessonChange", lessonChangeSchema);

