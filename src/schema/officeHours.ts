// The API's office-hours types: the line, its entries, staff on duty, the policy and windows, and their presenters.
import { IsOptional, Max, Min } from "class-validator";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { WaitEstimate as WaitEstimateView } from "../domain/officeHours/estimate";
import type { EntryView, QueueView, StaffState, StatusView } from "../domain/officeHours/views";
import { EXPIRED_INVITE_POLICIES, QUEUE_ENTRY_STATUSES, type ExpiredInvitePolicy, type OfficeHoursWindowDoc, type QueueEntryStatus } from "../models/officeHours";
import { DateInRange, Place, SafeText } from "./bounds";
import { Course } from "./course";
import { User, enumOf } from "./user";

export const QueueEntryStatusEnum = enumOf(QUEUE_ENTRY_STATUSES);
registerEnumType(QueueEntryStatusEnum, {
  name: "QueueEntryStatus",
  description: "WAITING -> INVITED -> IN_MEETING -> DONE, or EXPIRED, WITHDRAWN, REMOVED",
  valuesConfig: {
    WAITING: { description: "In line, waiting to be called" },
    INVITED: { description: "Called by a staff member: accept before inviteExpiresAt" },
    IN_MEETING: { description: "Accepted: meeting the staff member who invited them" },
    DONE: { description: "Helped: the meeting ended" },
    EXPIRED: { description: "The invite went unanswered, or the entry waited past the course's maximum wait" },
    WITHDRAWN: { description: "The student left the line (leaveQueue)" },
    REMOVED: { description: "Taken out of the line by course staff (removeFromQueue)" },
  },
});
export const ExpiredInvitePolicyEnum = enumOf(EXPIRED_INVITE_POLICIES);
registerEnumType(ExpiredInvitePolicyEnum, {
  name: "ExpiredInvitePolicy",
  description: "What happens to a student whose invite expired: DROP them, or REQUEUE_ONCE at the front",
  valuesConfig: {
    DROP: { description: "The entry ends as EXPIRED (the default)" },
    REQUEUE_ONCE: { description: "The entry goes back to the front of the line once; a second expiry drops it" },
  },
});
export const StaffStateEnum = enumOf(["AVAILABLE", "INVITING", "IN_MEETING"] as const);
registerEnumType(StaffStateEnum, {
  name: "StaffState",
  description: "What a staff member on duty is doing",
  valuesConfig: {
    AVAILABLE: { description: "Free: may call the next student" },
    INVITING: { description: "Has invited a student who has not accepted yet" },
    IN_MEETING: { description: "Meeting a student" },
  },
});

/** Lazily loaded people and courses, batched per request (see resolvers/officeHours.ts). */
export interface OfficeHoursRelations {
  user(id: string): Promise<User | null>;
  course(id: string): Promise<Course>;
}

@ObjectType({ description: "A range, from recent meeting lengths and the number of staff on duty" })
export class WaitEstimate {
  @Field(() => Int, { description: "Shortest likely wait, in seconds" })
  minSeconds: number;

  @Field(() => Int, { description: "Longest likely wait, in seconds" })
  maxSeconds: number;

  @Field(() => Int, { description: "Staff on duty the estimate assumes" })
  staffOnDuty: number;

  @Field(() => Int, { description: "Finished meetings it is based on (0: a default meeting length of 5 minutes)" })
  basedOnMeetings: number;
}

@ObjectType({ description: "One step of an entry's audit trail" })
export class QueueTransition {
  @Field(() => QueueEntryStatusEnum, { description: "The state the entry moved to" })
  status: QueueEntryStatus;

  @Field({ description: "When" })
  at: Date;

  @Field(() => User, { nullable: true, description: "null when the system acted (an expiry)" })
  actor: Promise<User | null> | null;

  @Field(() => String, { nullable: true, description: "INVITE_EXPIRED, MAX_WAIT, REQUEUED, DECLINED, or the staff's reason for a removal" })
  note: string | null;
}

@ObjectType({ description: "A student's place in a course's office-hours line" })
export class QueueEntry {
  @Field(() => ID, { description: "The entry id (acceptInvite, endMeeting, removeFromQueue take it)" })
  id: string;

  @Field(() => Course, { description: "The course whose line it is in" })
  course: Promise<Course>;

  @Field(() => User, { description: "The student waiting" })
  student: Promise<User | null>;

  @Field({ description: "What the student wants help with" })
  question: string;

  @Field(() => QueueEntryStatusEnum, { description: "Where the entry is: WAITING, INVITED, IN_MEETING, or how it ended" })
  status: QueueEntryStatus;

  @Field(() => Int, { nullable: true, description: "1 = next; only while WAITING" })
  position: number | null;

  @Field(() => WaitEstimate, { nullable: true, description: "Only while WAITING and someone is on duty" })
  estimatedWait: WaitEstimateView | null;

  @Field({ description: "When the student joined the line" })
  joinedAt: Date;

  @Field(() => User, { nullable: true, description: "The staff member who invited the student" })
  invitedBy: Promise<User | null> | null;

  @Field(() => String, { nullable: true, description: "Where the meeting happens (from the inviting staff member)" })
  meetingLink: string | null;

  @Field(() => Date, { nullable: true, description: "When the current invite was sent" })
  invitedAt: Date | null;

  @Field(() => Date, { nullable: true, description: "Accept before this (INVITE_TTL_SECONDS after the invite)" })
  inviteExpiresAt: Date | null;

  @Field(() => Date, { nullable: true, description: "When the student accepted the invite" })
  meetingStartedAt: Date | null;

  @Field(() => Date, { nullable: true, description: "When the entry left the line (done, expired, withdrawn, removed)" })
  endedAt: Date | null;

  @Field({ description: "Put back at the front once after an expired invite" })
  requeued: boolean;

  @Field(() => [QueueTransition], { description: "Every state the entry went through, with who moved it and when" })
  history: QueueTransition[];
}

@ObjectType({ description: "A staff member on duty at a course's office hours" })
export class StaffOnDuty {
  @Field(() => User, { description: "Who" })
  staff: Promise<User | null>;

  @Field({ description: "On duty since" })
  since: Date;

  @Field(() => String, { nullable: true, description: "Course staff, and the student invited to or in this meeting, see it; null for everyone else" })
  meetingLink: string | null;

  @Field(() => StaffStateEnum, { description: "Free to call the next student, inviting one, or in a meeting" })
  state: StaffState;

  @Field(() => ID, { nullable: true, description: "The entry they invited or are meeting (seen as meetingLink is)" })
  entryId: string | null;
}

@ObjectType({ description: "A course's office-hours rules" })
export class OfficeHoursPolicy {
  @Field(() => ExpiredInvitePolicyEnum, { description: "What happens to a student whose invite expired" })
  expiredInvite: ExpiredInvitePolicy;

  @Field(() => Int, { nullable: true, description: "Most students WAITING at once (null: no limit)" })
  maxQueueLength: number | null;

  @Field(() => Int, { description: "Minutes after being helped before a student may join again" })
  cooldownMinutes: number;

  @Field(() => Int, { nullable: true, description: "Entries WAITING longer than this many seconds expire (null: no limit)" })
  maxWaitSeconds: number | null;
}

@ObjectType({ description: "Whether office hours are open, who is on duty and what they are doing" })
export class OfficeHoursStatus {
  @Field(() => ID, { description: "The course" })
  courseId: string;

  @Field(() => Course, { description: "The course whose office hours these are" })
  course: Promise<Course>;

  @Field(() => Int, { description: "The line's version: raised by every change" })
  version: number;

  @Field({ description: "Someone is on duty: students in line will be called" })
  open: boolean;

  @Field(() => [StaffOnDuty], { description: "Who is on duty and what they are doing" })
  staffOnDuty: StaffOnDuty[];

  @Field(() => OfficeHoursPolicy, { description: "The course's office-hours rules" })
  policy: OfficeHoursPolicy;
}

@ObjectType({ description: "A course's office-hours line: staff see every entry, students the counts and their own entry" })
export class QueueSnapshot {
  @Field(() => ID, { description: "The course" })
  courseId: string;

  @Field(() => Int, { description: "Raised by every change: a client keeps the snapshot with the highest version" })
  version: number;

  @Field({ description: "When the change that made this version happened" })
  changedAt: Date;

  @Field(() => OfficeHoursStatus, { description: "Open or closed, and who is on duty" })
  status: OfficeHoursStatus;

  @Field(() => Int, { description: "Students WAITING" })
  waitingCount: number;

  @Field(() => Int, { description: "Students INVITED, not yet in their meeting" })
  invitedCount: number;

  @Field(() => Int, { description: "Students IN_MEETING" })
  inMeetingCount: number;

  @Field(() => [QueueEntry], { nullable: true, description: "Active entries in line order (staff, ADMIN, OBSERVER; null for students)" })
  entries: QueueEntry[] | null;

  @Field(() => QueueEntry, { nullable: true, description: "The caller's active entry" })
  myEntry: QueueEntry | null;
}

@ObjectType({ description: "A planned office-hours window" })
export class OfficeHoursWindow {
  @Field(() => ID, { description: "The window id (cancelOfficeHoursWindow takes it)" })
  id: string;

  @Field(() => Course, { description: "The course" })
  course: Promise<Course>;

  @Field(() => User, { description: "The staff member who scheduled it" })
  host: Promise<User | null>;

  @Field({ description: "Start" })
  startsAt: Date;

  @Field({ description: "End" })
  endsAt: Date;

  @Field(() => String, { nullable: true, description: "A room or an https meeting URL" })
  location: string | null;

  @Field(() => String, { nullable: true, description: "Anything students should know" })
  note: string | null;

  @Field({ description: "Cancelled by its course staff (cancelled windows are not listed)" })
  cancelled: boolean;
}

@InputType({ description: "Changes to a course's office-hours rules: fields left out keep their value" })
export class OfficeHoursPolicyInput {
  @Field(() => ExpiredInvitePolicyEnum, { nullable: true, description: "What happens to a student whose invite expired" })
  @IsOptional()
  expiredInvite?: ExpiredInvitePolicy | null;

  @Field(() => Int, { nullable: true, description: "0 or null: no limit" })
  @IsOptional()
  @Min(0)
  @Max(10_000)
  maxQueueLength?: number | null;

  @Field(() => Int, { nullable: true, description: "Minutes after being helped before a student may join again, 0 to 10080 (0: none)" })
  @IsOptional()
  @Min(0)
  @Max(7 * 24 * 60)
  cooldownMinutes?: number | null;

  @Field(() => Int, { nullable: true, description: "Seconds; 0 or null: no limit" })
  @IsOptional()
  @Min(0)
  @Max(7 * 24 * 3600)
  maxWaitSeconds?: number | null;
}

@InputType({ description: "A planned office-hours window" })
export class OfficeHoursWindowInput {
  @Field({ description: "Start" })
  @DateInRange()
  startsAt: Date;

  @Field({ description: "After startsAt, at most a day later" })
  @DateInRange()
  endsAt: Date;

  @Field(() => String, { nullable: true, description: "A room or an https meeting URL" })
  @IsOptional()
  @Place(500)
  location?: string | null;

  @Field(() => String, { nullable: true, description: "Anything students should know, at most 1000 characters" })
  @IsOptional()
  @SafeText(1000, { min: 0, multiline: true })
  note?: string | null;
}

// ---- presenters: domain views to API objects ----

/** A lazily loaded relation, loaded at most once however often it is read. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

export function toQueueEntry(v: EntryView, related: OfficeHoursRelations): QueueEntry {
  const course = once(() => related.course(v.courseId));
  const student = once(() => related.user(v.studentId));
  const invitedBy = v.staffId ? once(() => related.user(v.staffId!)) : null;
  return {
    id: v.entryId,
    get course() {
      return course();
    },
    get student() {
      return student();
    },
    question: v.question,
    status: v.status,
    position: v.position,
    estimatedWait: v.estimatedWait,
    joinedAt: v.joinedAt,
    get invitedBy() {
      return invitedBy ? invitedBy() : null;
    },
    meetingLink: v.meetingLink,
    invitedAt: v.invitedAt,
    inviteExpiresAt: v.inviteExpiresAt,
    meetingStartedAt: v.meetingStartedAt,
    endedAt: v.endedAt,
    requeued: v.requeued,
    history: v.history.map((t) => {
      const actor = t.actorId ? once(() => related.user(t.actorId!)) : null;
      return {
        status: t.status as QueueEntryStatus,
        at: t.at,
        get actor() {
          return actor ? actor() : null;
        },
        note: t.note,
      };
    }),
  };
}

export function toOfficeHoursStatus(v: StatusView, related: OfficeHoursRelations): OfficeHoursStatus {
  const course = once(() => related.course(v.courseId));
  return {
    courseId: v.courseId,
    get course() {
      return course();
    },
    version: v.version,
    open: v.open,
    policy: v.policy,
    staffOnDuty: v.staffOnDuty.map((s) => {
      const staff = once(() => related.user(s.staffId));
      return {
        get staff() {
          return staff();
        },
        since: s.since,
        meetingLink: s.meetingLink,
        state: s.state,
        entryId: s.entryId,
      };
    }),
  };
}

export function toQueueSnapshot(v: QueueView, related: OfficeHoursRelations): QueueSnapshot {
  return {
    courseId: v.courseId,
    version: v.version,
    changedAt: v.changedAt,
    status: toOfficeHoursStatus(v, related),
    waitingCount: v.waitingCount,
    invitedCount: v.invitedCount,
    inMeetingCount: v.inMeetingCount,
    entries: v.entries ? v.entries.map((e) => toQueueEntry(e, related)) : null,
    myEntry: v.myEntry ? toQueueEntry(v.myEntry, related) : null,
  };
}

export function toOfficeHoursWindow(doc: OfficeHoursWindowDoc, related: OfficeHoursRelations): OfficeHoursWindow {
  return {
    id: doc._id.toHexString(),
    get course() {
      return related.course(doc.course.toHexString());
    },
    get host() {
      return related.user(doc.host.toHexString());
    },
    startsAt: doc.startsAt,
    endsAt: doc.endsAt,
    location: doc.location,
    note: doc.note,
    cancelled: doc.cancelled,
  };
}
