// Office hours: each course's line and policy (`officehours`, keyed by the course), its entries
// (`queueentries`, never deleted: the history the statistics read) and planned windows
// (`officehourswindows`). The entries' unique keys (`activeKey`, `staffKey`) hold the line's rules in
// the database itself: one active entry per student and course, one invite or meeting per staff member.
import "./plugins";
import { BSON } from "mongodb";
import { Schema, model, type Types } from "mongoose";

export const QUEUE_ENTRY_STATUSES = ["WAITING", "INVITED", "IN_MEETING", "DONE", "EXPIRED", "WITHDRAWN", "REMOVED"] as const;
export type QueueEntryStatus = (typeof QUEUE_ENTRY_STATUSES)[number];
/** States in which an entry is still in the line (and blocks the student from joining again). */
export const ACTIVE_STATUSES: QueueEntryStatus[] = ["WAITING", "INVITED", "IN_MEETING"];

export const EXPIRED_INVITE_POLICIES = ["DROP", "REQUEUE_ONCE"] as const;
export type ExpiredInvitePolicy = (typeof EXPIRED_INVITE_POLICIES)[number];

/** One step of an entry's audit trail. */
export interface Transition {
  status: QueueEntryStatus;
  at: Date;
  /** null: the system (an expiry job). */
  actor: Types.ObjectId | null;
  note: string | null;
}

const transitionSchema = new Schema<Transition>(
  {
    status: { type: String, enum: QUEUE_ENTRY_STATUSES, required: true },
    at: { type: Date, required: true },
    actor: { type: Schema.Types.ObjectId, default: null },
    note: { type: String, default: null },
  },
  { _id: false },
);

/**
 * A student's place in a course's office-hours line, from joining to its end (DONE, EXPIRED,
 * WITHDRAWN, REMOVED). Entries are never deleted: they are the history the statistics read.
 *
 * Entries are read and written by `_id` on the hot path: the live line (the active entries, in order)
 * is held on the course's office-hours document as well (`line`), written in the same locked step as
 * the entry, so a change reads one document instead of querying the entries.
 *
 * Two unique keys back the rules up in the database itself (plain unique indexes, which every
 * MongoDB-compatible server enforces: the key holds the rule's value while it applies and the entry's
 * own id otherwise):
 * - `activeKey` = "course:student" while the entry is active: one active entry per student and course;
 * - `staffKey` = the staff member's id while they hold this entry's invite or meeting: one at a time,
 *   across courses.
 * `activeIn` (the course's id while the entry is in its line) lets a repair rebuild a line from its entries.
 */
const queueEntrySchema = new Schema(
  {
    course: { type: Schema.Types.ObjectId, required: true },
    student: { type: Schema.Types.ObjectId, required: true },
    question: { type: String, required: true },
    status: { type: String, enum: QUEUE_ENTRY_STATUSES, required: true },
    /** FIFO order of the line: join time in ms; a re-queued entry goes just before the first. */
    sortKey: { type: Number, required: true },
    joinedAt: { type: Date, required: true },
    /** When the entry last started waiting (join, or re-queue after an expired invite). */
    waitingSince: { type: Date, required: true },
    staff: { type: Schema.Types.ObjectId, default: null },
    meetingLink: { type: String, default: null },
    invitedAt: { type: Date, default: null },
    inviteExpiresAt: { type: Date, default: null },
    /** The course's maximum wait (policy) ends this wait then (a deadline, like invite expiry). */
    waitEndsAt: { type: Date, default: null },
    meetingStartedAt: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    /** Re-queued once already after an expired invite (policy REQUEUE_ONCE). */
    requeued: { type: Boolean, default: false },
    invites: { type: Number, default: 0 },
    activeIn: { type: String, default: null },
    /** Handles of the entry's deadlines (domain/officeHours/deadlines.ts), cancelled when the entry moves on. */
    inviteJob: { type: String, default: null },
    waitJob: { type: String, default: null },
    activeKey: { type: String, required: true },
    staffKey: { type: String, required: true },
    history: { type: [transitionSchema], default: [] },
    /** The version of the course's line that this entry's last change made (a rebuilt line starts past it). */
    lineVersion: { type: Number, default: 0 },
  },
  { versionKey: false },
);
queueEntrySchema.index({ activeKey: 1 }, { unique: true });
queueEntrySchema.index({ staffKey: 1 }, { unique: true });
queueEntrySchema.index({ activeIn: 1 });
queueEntrySchema.index({ course: 1, joinedAt: 1 });
queueEntrySchema.index({ course: 1, student: 1, joinedAt: -1 });

export interface QueueEntryDoc {
  _id: Types.ObjectId;
  course: Types.ObjectId;
  student: Types.ObjectId;
  question: string;
  status: QueueEntryStatus;
  sortKey: number;
  joinedAt: Date;
  waitingSince: Date;
  staff: Types.ObjectId | null;
  meetingLink: string | null;
  invitedAt: Date | null;
  inviteExpiresAt: Date | null;
  waitEndsAt: Date | null;
  meetingStartedAt: Date | null;
  endedAt: Date | null;
  requeued: boolean;
  invites: number;
  activeIn: string | null;
  inviteJob?: string | null;
  waitJob?: string | null;
  activeKey: string;
  staffKey: string;
  history: Transition[];
  lineVersion?: number;
}
export const QueueEntryModel = model("QueueEntry", queueEntrySchema);

const dutySchema = new Schema(
  {
    staff: { type: Schema.Types.ObjectId, required: true },
    since: { type: Date, required: true },
    meetingLink: { type: String, required: true },
  },
  { _id: false },
);

const helpedSchema = new Schema({ student: { type: Schema.Types.ObjectId, required: true }, at: { type: Date, required: true } }, { _id: false });

/**
 * A course's office hours, keyed by the course's id: who is on duty now, the line itself (its active
 * entries in order, as stored in `queueentries`), its policy and version. Every change of the line is
 * one read and one conditional write of this document (plus the entry's own write).
 */
const officeHoursSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    course: { type: Schema.Types.ObjectId, required: true },
    /**
     * The active entries (WAITING, INVITED, IN_MEETING) in line order, as one BSON value (see
     * encodeLine): a line of 20 entries by `_id` as fields costs 2.2 ms to read and 1.4 ms to write,
     * as one binary value 0.6 and 1.0 ms (FerretDB 2.5, `officeHoursLine` of scripts/probe-mongo.ts).
     * The entries in `queueentries` stay the queryable record.
     */
    line: { type: Buffer, default: null },
    /** The earliest invite expiry or maximum wait in the line (the deadline sweep reads this). */
    nextDeadline: { type: Date, default: null },
    /** Students helped within the cooldown (policy), pruned as it passes. */
    recentlyHelped: { type: [helpedSchema], default: [] },
    onDuty: { type: [dutySchema], default: [] },
    expiredInvite: { type: String, enum: EXPIRED_INVITE_POLICIES, default: "DROP" },
    maxQueueLength: { type: Number, default: null },
    cooldownMinutes: { type: Number, default: 0 },
    maxWaitSeconds: { type: Number, default: null },
    /** The sortKey of the latest join. */
    lastSortKey: { type: Number, default: 0 },
    /** Lengths of the last finished meetings, for wait estimates. */
    recentMeetingSeconds: { type: [Number], default: [] },
    /** Raised by every change of the line; snapshots carry it so clients can drop stale ones. */
    version: { type: Number, default: 0 },
    changedAt: { type: Date, default: null },
  },
  { versionKey: false, collection: "officehours" },
);
officeHoursSchema.index({ nextDeadline: 1 });

export interface DutyDoc {
  staff: Types.ObjectId;
  since: Date;
  meetingLink: string;
}
export interface OfficeHoursDoc {
  /** The course's id. */
  _id: Types.ObjectId;
  course: Types.ObjectId;
  line: QueueEntryDoc[];
  nextDeadline: Date | null;
  recentlyHelped: { student: Types.ObjectId; at: Date }[];
  onDuty: DutyDoc[];
  expiredInvite: ExpiredInvitePolicy;
  maxQueueLength: number | null;
  cooldownMinutes: number;
  maxWaitSeconds: number | null;
  lastSortKey: number;
  recentMeetingSeconds: number[];
  version: number;
  changedAt: Date | null;
}
export const OfficeHoursModel = model("OfficeHours", officeHoursSchema);

/** As stored: the line still encoded. */
export type StoredOfficeHours = Omit<OfficeHoursDoc, "line"> & { line: BSON.Binary | Uint8Array | null };

export function encodeLine(line: QueueEntryDoc[]): Buffer {
  return Buffer.from(BSON.serialize({ line }));
}

export function decodeLine(stored: StoredOfficeHours["line"]): QueueEntryDoc[] {
  if (!stored) return [];
  const bytes = stored instanceof BSON.Binary ? stored.buffer : stored;
  return (BSON.deserialize(bytes) as { line: QueueEntryDoc[] }).line;
}

/** A planned office-hours window, published ahead of time. */
const windowSchema = new Schema(
  {
    course: { type: Schema.Types.ObjectId, required: true },
    host: { type: Schema.Types.ObjectId, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    location: { type: String, default: null },
    note: { type: String, default: null },
    cancelled: { type: Boolean, default: false },
  },
  { versionKey: false, collection: "officehourswindows" },
);
windowSchema.index({ course: 1, startsAt: 1 });

export interface OfficeHoursWindowDoc {
  _id: Types.ObjectId;
  course: Types.ObjectId;
  host: Types.ObjectId;
  startsAt: Date;
  endsAt: Date;
  location: string | null;
  note: string | null;
  cancelled: boolean;
}
export const OfficeHoursWindowModel = model("OfficeHoursWindow", windowSchema);
