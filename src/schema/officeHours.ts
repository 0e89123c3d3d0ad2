import { IsOptional, Max, Min } from "class-validator";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { WaitEstimate as WaitEstimateView } from "../domain/officeHours/estimate";
import type { DurationSummary as DurationSummaryView, OfficeHoursStatsView } from "../domain/officeHours/stats";
import type { EntryView, QueueView, StaffState, StatusView } from "../domain/officeHours/views";
import { EXPIRED_INVITE_POLICIES, QUEUE_ENTRY_STATUSES, type ExpiredInvitePolicy, type OfficeHoursWindowDoc, type QueueEntryStatus } from "../models/officeHours";
import { DateInRange, Place, SafeText } from "./bounds";
import { Course } from "./course";
import { User, enumOf } from "./user";

export const QueueEntryStatusEnum = enumOf(QUEUE_ENTRY_STATUSES);
registerEnumType(QueueEntryStatusEnum, {
  name: "QueueEntryStatus",
  description: "WAITING -> INVITED -> IN_MEETING -> DONE, or EXPIRED, WITHDRAWN, REMOVED",
});
export const ExpiredInvitePolicyEnum = enumOf(EXPIRED_INVITE_POLICIES);
registerEnumType(ExpiredInvitePolicyEnum, {
  name: "ExpiredInvitePolicy",
  description: "What happens to a student whose invite expired: DROP them, or REQUEUE_ONCE at the front",
});
export const StaffStateEnum = enumOf(["AVAILABLE", "INVITING", "IN_MEETING"] as const);
registerEnumType(StaffStateEnum, { name: "StaffState" });

/** Lazily loaded people and courses, batched per request (see resolvers/officeHours.ts). */
export interface OfficeHoursRelations {
  user(id: string): Promise<User | null>;
  course(id: string): Promise<Course>;
}

@ObjectType({ description: "A range, from recent meeting lengths and the number of staff on duty" })
export class WaitEstimate {
  @Field(() => Int)
  minSeconds: number;

  @Field(() => Int)
  maxSeconds: number;

  @Field(() => Int)
  staffOnDuty: number;

  @Field(() => Int, { description: "Finished meetings it is based on (0: a default meeting length of 5 minutes)" })
  basedOnMeetings: number;
}

@ObjectType({ description: "One step of an entry's audit trail" })
export class QueueTransition {
  @Field(() => QueueEntryStatusEnum)
  status: QueueEntryStatus;

  @Field()
  at: Date;

  @Field(() => User, { nullable: true, description: "null when the system acted (an expiry)" })
  actor: Promise<User | null> | null;

  @Field(() => String, { nullable: true, description: "INVITE_EXPIRED, MAX_WAIT, REQUEUED, DECLINED, or the staff's reason for a removal" })
  note: string | null;
}

@ObjectType({ description: "A student's place in a course's office-hours line" })
export class QueueEntry {
  @Field(() => ID)
  id: string;

  @Field(() => Course)
  course: Promise<Course>;

  @Field(() => User)
  student: Promise<User | null>;

  @Field()
  question: string;

  @Field(() => QueueEntryStatusEnum)
  status: QueueEntryStatus;

  @Field(() => Int, { nullable: true, description: "1 = next; only while WAITING" })
  position: number | null;

  @Field(() => WaitEstimate, { nullable: true, description: "Only while WAITING and someone is on duty" })
  estimatedWait: WaitEstimateView | null;

  @Field()
  joinedAt: Date;

  @Field(() => User, { nullable: true, description: "The staff member who invited the student" })
  invitedBy: Promise<User | null> | null;

  @Field(() => String, { nullable: true, description: "Where the meeting happens (from the inviting staff member)" })
  meetingLink: string | null;

  @Field(() => Date, { nullable: true })
  invitedAt: Date | null;

  @Field(() => Date, { nullable: true, description: "Accept before this (INVITE_TTL_SECONDS after the invite)" })
  inviteExpiresAt: Date | null;

  @Field(() => Date, { nullable: true })
  meetingStartedAt: Date | null;

  @Field(() => Date, { nullable: true })
  endedAt: Date | null;

  @Field({ description: "Put back at the front once after an expired invite" })
  requeued: boolean;

  @Field(() => [QueueTransition])
  history: QueueTransition[];
}

@ObjectType()
export class StaffOnDuty {
  @Field(() => User)
  staff: Promise<User | null>;

  @Field()
  since: Date;

  @Field(() => String, { nullable: true, description: "Course staff, and the student invited to or in this meeting, see it; null for everyone else" })
  meetingLink: string | null;

  @Field(() => StaffStateEnum)
  state: StaffState;

  @Field(() => ID, { nullable: true, description: "The entry they invited or are meeting (seen as meetingLink is)" })
  entryId: string | null;
}

@ObjectType()
export class OfficeHoursPolicy {
  @Field(() => ExpiredInvitePolicyEnum)
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
  @Field(() => ID)
  courseId: string;

  @Field(() => Int, { description: "The line's version: raised by every change" })
  version: number;

  @Field()
  open: boolean;

  @Field(() => [StaffOnDuty])
  staffOnDuty: StaffOnDuty[];

  @Field(() => OfficeHoursPolicy)
  policy: OfficeHoursPolicy;
}

@ObjectType({ description: "A course's office-hours line: staff see every entry, students the counts and their own entry" })
export class QueueSnapshot {
  @Field(() => ID)
  courseId: string;

  @Field(() => Int, { description: "Raised by every change: a client keeps the snapshot with the highest version" })
  version: number;

  @Field({ description: "When the change that made this version happened" })
  changedAt: Date;

  @Field(() => OfficeHoursStatus)
  status: OfficeHoursStatus;

  @Field(() => Int)
  waitingCount: number;

  @Field(() => Int)
  invitedCount: number;

  @Field(() => Int)
  inMeetingCount: number;

  @Field(() => [QueueEntry], { nullable: true, description: "Active entries in line order (staff, ADMIN, OBSERVER; null for students)" })
  entries: QueueEntry[] | null;

  @Field(() => QueueEntry, { nullable: true, description: "The caller's active entry" })
  myEntry: QueueEntry | null;
}

@ObjectType({ description: "A planned office-hours window" })
export class OfficeHoursWindow {
  @Field(() => ID)
  id: string;

  @Field(() => Course)
  course: Promise<Course>;

  @Field(() => User)
  host: Promise<User | null>;

  @Field()
  startsAt: Date;

  @Field()
  endsAt: Date;

  @Field(() => String, { nullable: true })
  location: string | null;

  @Field(() => String, { nullable: true })
  note: string | null;

  @Field()
  cancelled: boolean;
}

@ObjectType()
export class DurationSummary {
  @Field(() => Int)
  count: number;

  @Field(() => Float)
  averageSeconds: number;

  @Field(() => Float)
  medianSeconds: number;

  @Field(() => Float)
  p90Seconds: number;

  @Field(() => Float)
  maxSeconds: number;
}

@ObjectType()
export class StaffOfficeHoursStats {
  @Field(() => User)
  staff: Promise<User | null>;

  @Field(() => Int)
  invites: number;

  @Field(() => Int)
  meetings: number;

  @Field(() => Int)
  noShows: number;

  @Field(() => Float)
  noShowRate: number;

  @Field(() => DurationSummary)
  meeting: DurationSummaryView;
}

@ObjectType({ description: "Entries that joined within [from, to)" })
export class OfficeHoursStats {
  @Field(() => Int)
  joined: number;

  @Field(() => Int)
  helped: number;

  @Field(() => Int)
  expired: number;

  @Field(() => Int)
  withdrawn: number;

  @Field(() => Int)
  removed: number;

  @Field(() => Int)
  invites: number;

  @Field(() => Int, { description: "Invites that expired unanswered" })
  noShows: number;

  @Field(() => Float)
  noShowRate: number;

  @Field(() => DurationSummary, { description: "From joining to the first invite" })
  wait: DurationSummaryView;

  @Field(() => DurationSummary, { description: "From accepting to the end of the meeting" })
  meeting: DurationSummaryView;

  @Field(() => [StaffOfficeHoursStats])
  perStaff: StaffOfficeHoursStats[];
}

@InputType()
export class OfficeHoursPolicyInput {
  @Field(() => ExpiredInvitePolicyEnum, { nullable: true })
  @IsOptional()
  expiredInvite?: ExpiredInvitePolicy | null;

  @Field(() => Int, { nullable: true, description: "0 or null: no limit" })
  @IsOptional()
  @Min(0)
  @Max(10_000)
  maxQueueLength?: number | null;

  @Field(() => Int, { nullable: true })
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

@InputType()
export class OfficeHoursWindowInput {
  @Field()
  @DateInRange()
  startsAt: Date;

  @Field({ description: "After startsAt, at most a day later" })
  @DateInRange()
  endsAt: Date;

  @Field(() => String, { nullable: true, description: "A room or an https meeting URL" })
  @IsOptional()
  @Place(500)
  location?: string | null;

  @Field(() => String, { nullable: true })
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
  return {
    courseId: v.courseId,
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

export function toOfficeHoursStats(v: OfficeHoursStatsView, related: OfficeHoursRelations): OfficeHoursStats {
  return {
    ...v,
    perStaff: v.perStaff.map((s) => ({
      get staff() {
        return related.user(s.staffId);
      },
      invites: s.invites,
      meetings: s.meetings,
      noShows: s.noShows,
      noShowRate: s.noShowRate,
      meeting: s.meeting,
    })),
  };
}
