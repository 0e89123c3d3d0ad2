// What each viewer sees of a line: staff see every entry, students the counts and their own entry.
// Pure functions over the QueueState that events carry, so queries and subscriptions agree.
import type { QueueEntryState, QueueState } from "../../events/catalogue";
import type { OfficeHoursDoc, QueueEntryDoc } from "../../models/officeHours";
import { estimateWait, type WaitEstimate } from "./estimate";

export type StaffState = "AVAILABLE" | "INVITING" | "IN_MEETING";

export interface StaffOnDutyView {
  staffId: string;
  since: Date;
  /** Null unless the viewer is course staff or the student invited to or in this meeting (`seesMeeting`). */
  meetingLink: string | null;
  state: StaffState;
  entryId: string | null;
}

export interface EntryView extends Omit<QueueEntryState, "joinedAt" | "waitingSince" | "invitedAt" | "inviteExpiresAt" | "meetingStartedAt" | "endedAt" | "history"> {
  joinedAt: Date;
  waitingSince: Date;
  invitedAt: Date | null;
  inviteExpiresAt: Date | null;
  meetingStartedAt: Date | null;
  endedAt: Date | null;
  history: { status: string; at: Date; actorId: string | null; note: string | null }[];
  /** 1-based place among the WAITING entries; null otherwise. */
  position: number | null;
  estimatedWait: WaitEstimate | null;
}

export interface StatusView {
  courseId: string;
  version: number;
  changedAt: Date;
  open: boolean;
  staffOnDuty: StaffOnDutyView[];
  policy: QueueState["policy"];
}

export interface QueueView extends StatusView {
  waitingCount: number;
  invitedCount: number;
  inMeetingCount: number;
  /** Null for students: they see counts and their own entry only. */
  entries: EntryView[] | null;
  myEntry: EntryView | null;
}

export interface Viewer {
  userId: string;
  /** Course staff, ADMIN, OBSERVER: every entry is visible. */
  seesEveryone: boolean;
}

const date = (s: string | null) => (s === null ? null : new Date(s));
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function entryState(doc: QueueEntryDoc): QueueEntryState {
  return {
    entryId: doc._id.toHexString(),
    courseId: doc.course.toHexString(),
    studentId: doc.student.toHexString(),
    question: doc.question,
    status: doc.status,
    joinedAt: doc.joinedAt.toISOString(),
    waitingSince: doc.waitingSince.toISOString(),
    staffId: doc.staff ? doc.staff.toHexString() : null,
    meetingLink: doc.meetingLink,
    invitedAt: iso(doc.invitedAt),
    inviteExpiresAt: iso(doc.inviteExpiresAt),
    meetingStartedAt: iso(doc.meetingStartedAt),
    endedAt: iso(doc.endedAt),
    requeued: doc.requeued,
    invites: doc.invites,
    history: doc.history.map((t) => ({ status: t.status, at: t.at.toISOString(), actorId: t.actor ? t.actor.toHexString() : null, note: t.note })),
  };
}

/** The line held on the course's office-hours document, as events carry it. */
export function queueState(oh: OfficeHoursDoc): QueueState {
  return {
    courseId: oh._id.toHexString(),
    version: oh.version,
    changedAt: (oh.changedAt ?? new Date(0)).toISOString(),
    onDuty: oh.onDuty.map((d) => ({ staffId: d.staff.toHexString(), since: d.since.toISOString(), meetingLink: d.meetingLink })),
    policy: {
      expiredInvite: oh.expiredInvite,
      maxQueueLength: oh.maxQueueLength,
      cooldownMinutes: oh.cooldownMinutes,
      maxWaitSeconds: oh.maxWaitSeconds,
    },
    entries: oh.line.map(entryState),
    recentMeetingSeconds: oh.recentMeetingSeconds ?? [],
  };
}

/** 1-based places of a line's WAITING entries, worked out once per line (every viewer of an event shares it). */
const placesOf = new WeakMap<QueueState, Map<string, number>>();
function places(queue: QueueState): Map<string, number> {
  let found = placesOf.get(queue);
  if (!found) {
    found = new Map(queue.entries.filter((e) => e.status === "WAITING").map((e, i) => [e.entryId, i + 1]));
    placesOf.set(queue, found);
  }
  return found;
}

/** One entry as seen against the line it is in (position and estimate only while it waits). */
export function viewEntry(entry: QueueEntryState, queue: QueueState): EntryView {
  const position = entry.status === "WAITING" ? (places(queue).get(entry.entryId) ?? null) : null;
  return {
    ...entry,
    joinedAt: new Date(entry.joinedAt),
    waitingSince: new Date(entry.waitingSince),
    invitedAt: date(entry.invitedAt),
    inviteExpiresAt: date(entry.inviteExpiresAt),
    meetingStartedAt: date(entry.meetingStartedAt),
    endedAt: date(entry.endedAt),
    history: entry.history.map((t) => ({ ...t, at: new Date(t.at) })),
    position,
    estimatedWait: position === null ? null : estimateWait(position, queue.onDuty.length, queue.recentMeetingSeconds),
  };
}

/** A staff member's meeting (its link, the entry it is for) is private: the line's staff and that meeting's student. */
export function seesMeeting(viewer: Viewer, entry: QueueEntryState | undefined): boolean {
  return viewer.seesEveryone || entry?.studentId === viewer.userId;
}

export function viewStatus(queue: QueueState, viewer: Viewer): StatusView {
  const held = new Map(queue.entries.filter((e) => e.staffId).map((e) => [e.staffId!, e]));
  return {
    courseId: queue.courseId,
    version: queue.version,
    changedAt: new Date(queue.changedAt),
    open: queue.onDuty.length > 0,
    policy: queue.policy,
    staffOnDuty: queue.onDuty.map((d) => {
      const entry = held.get(d.staffId);
      const state: StaffState = !entry ? "AVAILABLE" : entry.status === "IN_MEETING" ? "IN_MEETING" : "INVITING";
      // Everyone else sees that the staff member is busy, not where or with whom.
      const shown = seesMeeting(viewer, entry);
      return { staffId: d.staffId, since: new Date(d.since), meetingLink: shown ? d.meetingLink : null, state, entryId: shown ? (entry?.entryId ?? null) : null };
    }),
  };
}

export function viewQueue(queue: QueueState, viewer: Viewer): QueueView {
  const count = (s: QueueEntryState["status"]) => queue.entries.filter((e) => e.status === s).length;
  const mine = queue.entries.find((e) => e.studentId === viewer.userId);
  return {
    ...viewStatus(queue, viewer),
    waitingCount: count("WAITING"),
    invitedCount: count("INVITED"),
    inMeetingCount: count("IN_MEETING"),
    entries: viewer.seesEveryone ? queue.entries.map((e) => viewEntry(e, queue)) : null,
    myEntry: mine ? viewEntry(mine, queue) : null,
  };
}

/** A key that changes exactly when what `viewStatus` shows changes (to push status only on change). */
export function statusKey(status: StatusView): string {
  return JSON.stringify([status.open, status.policy, status.staffOnDuty.map((s) => [s.staffId, s.state, s.entryId, s.meetingLink])]);
}
