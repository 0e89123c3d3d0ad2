// Office hours (SPEC 4.3): one FIFO line per course, served by every staff member on duty. This file
// holds the rules of the line: who may join, leave, accept, go on duty, call the next student, end a
// meeting or remove an entry, why each is refused (reasons.ts), and the event each change publishes.
// Each rule runs as one change of the line store (lineStore.ts: under the course's lock, so its checks
// and its writes are one step on any number of instances), writes its entry there, and names its
// event; the store commits the line and publishes the event. The entries' deadlines are expiry.ts's;
// what viewers see, reads.ts's; planned windows, windows.ts's.
import { Types } from "mongoose";
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import type { QueueState } from "../../events/catalogue";
import type { CourseDoc } from "../../models/course";
import {
  QueueEntryModel,
  type ExpiredInvitePolicy,
  type OfficeHoursDoc,
  type OfficeHoursWindowDoc,
  type QueueEntryDoc,
  type QueueEntryStatus,
} from "../../models/officeHours";
import type { Clock } from "../../platform/clock";
import { isDuplicateKey } from "../../platform/duplicateKey";
import { fail } from "../../platform/errors";
import { isHttpsUrl } from "../../platform/inputRules";
import type { Locks } from "../../platform/locks";
import type { Logger } from "../../platform/logger";
import { isObjectId } from "../../platform/ids";
import type { CoursesService } from "../courses";
import type { EnrollmentService } from "../enrollment/service";
import { RECENT_MEETINGS } from "./estimate";
import { EntryExpiry, finishEntry, type EntryTimers, type TimeoutKind } from "./expiry";
import type { OfficeHoursCache } from "./lineCache";
import { LineStore, type Changed } from "./lineStore";
import { OfficeHoursReads } from "./reads";
import { heldError, reasonError, staffCourse } from "./reasons";
import { NOTE, type OfficeHoursStatsView } from "./stats";
import { viewEntry, viewStatus, type EntryView, type QueueView, type StatusView } from "./views";
import { OfficeHoursWindows, type WindowInput } from "./windows";

export interface PolicyInput {
  expiredInvite?: ExpiredInvitePolicy | null;
  /** 0 or null: no limit. */
  maxQueueLength?: number | null;
  cooldownMinutes?: number | null;
  /** 0 or null: no limit. */
  maxWaitSeconds?: number | null;
}

/** The most a question, meeting link or removal reason may hold. */
export const MAX_TEXT = 1000;

export class OfficeHoursService {
  /** Where the line is read and changed: the lock, the Redis copy, the MongoDB write behind, the repair. */
  private readonly line: LineStore;
  private readonly expiry: EntryExpiry;
  private readonly reads: OfficeHoursReads;
  private readonly windows: OfficeHoursWindows;

  constructor(
    private readonly deps: {
      courses: CoursesService;
      enrollment: EnrollmentService;
      events: EventBus;
      locks: Locks;
      cache: OfficeHoursCache;
      timers: EntryTimers;
      clock: Clock;
      logger: Logger;
      inviteTtlSeconds: number;
    },
  ) {
    const { courses, enrollment, events, locks, cache, timers, clock, logger } = deps;
    this.line = new LineStore({ locks, cache, events, clock, logger });
    this.expiry = new EntryExpiry({ courses, line: this.line, timers, clock, logger });
    this.reads = new OfficeHoursReads({ courses, enrollment, line: this.line });
    this.windows = new OfficeHoursWindows({ courses, enrollment, events, clock });
  }

  /** Finishes the lines' MongoDB writes still under way (shutdown). */
  stop(): Promise<void> {
    return this.line.stop();
  }

  // ---- students ----

  async joinQueue(student: AuthUser, courseId: string, question: string): Promise<EntryView> {
    const course = await this.openCourse(courseId);
    if (!(await this.deps.enrollment.isEnrolled(student.id, courseId))) throw reasonError("NOT_ENROLLED");
    const text = question.trim();
    if (!text || text.length > MAX_TEXT) throw fail("BAD_USER_INPUT", `Say what you need help with (1 to ${MAX_TEXT} characters)`, "INVALID_QUESTION");
    return viewChanged(await this.line.change(course._id, student, async (oh, now) => {
      if (oh.line.some((e) => e.student.toHexString() === student.id)) throw reasonError("ALREADY_IN_QUEUE");
      const helped = cooldownEnd(oh, student.id, now);
      if (helped) throw reasonError("COOLDOWN", { retryAt: helped.toISOString() });
      if (oh.maxQueueLength && oh.line.filter((e) => e.status === "WAITING").length >= oh.maxQueueLength) throw reasonError("QUEUE_FULL");
      const _id = new Types.ObjectId();
      const id = _id.toHexString();
      const at = new Date(now);
      // Strictly increasing, so two joins within one millisecond keep their order.
      const sortKey = Math.max(now, oh.lastSortKey + 1);
      const waitEndsAt = oh.maxWaitSeconds ? new Date(now + oh.maxWaitSeconds * 1000) : null;
      // The deadline first: if the entry then cannot be stored, the job finds nothing and does nothing.
      const waitJob = waitEndsAt ? await this.deps.timers.schedule("wait", courseId, id, waitEndsAt) : null;
      const entry: QueueEntryDoc = {
        _id,
        course: course._id,
        student: oid(student.id),
        question: text,
        status: "WAITING",
        sortKey,
        joinedAt: at,
        waitingSince: at,
        staff: null,
        meetingLink: null,
        invitedAt: null,
        inviteExpiresAt: null,
        waitEndsAt,
        meetingStartedAt: null,
        endedAt: null,
        requeued: false,
        invites: 0,
        activeIn: courseId,
        inviteJob: null,
        waitJob,
        activeKey: activeKey(courseId, student.id),
        staffKey: id,
        history: [{ status: "WAITING", at, actor: oid(student.id), note: null }],
        lineVersion: oh.version + 1,
      };
      // Active in the database but not in the line: a change that died half-way; the repair shows it.
      await this.line.addEntry(entry, reasonError("ALREADY_IN_QUEUE"));
      return { event: "QueueJoined", entry, officeHours: { lastSortKey: sortKey } };
    }));
  }

  /** Leaves the line; declines the invite if one is pending. */
  async leaveQueue(student: AuthUser, courseId: string): Promise<EntryView> {
    const course = await this.deps.courses.get(courseId);
    return viewChanged(await this.line.change(course._id, student, async (oh, now) => {
      const entry = oh.line.find((e) => e.student.toHexString() === student.id);
      if (!entry) throw reasonError("NOT_IN_QUEUE");
      if (entry.status === "IN_MEETING") throw reasonError("MEETING_IN_PROGRESS");
      const declined = entry.status === "INVITED";
      const updated = await this.finish(oh.version + 1, entry, "WITHDRAWN", now, student.id, declined ? NOTE.declined : null);
      return { event: "QueueLeft", entry: updated, extra: { declinedInvite: declined } };
    }));
  }

  async acceptInvite(student: AuthUser, entryId: string): Promise<EntryView> {
    const found = await this.entry(entryId);
    if (found.student.toHexString() !== student.id) throw fail("NOT_FOUND", "Queue entry not found", "ENTRY_NOT_FOUND");
    const course = await this.deps.courses.get(found.course.toHexString());
    return viewChanged(await this.line.change(course._id, student, async (oh, now) => {
      const entry = inLine(oh, entryId) ?? (await this.entry(entryId));
      if (entry.status === "IN_MEETING") return { entry }; // accepted already: nothing changes
      const expired =
        (entry.status === "INVITED" && entry.inviteExpiresAt!.getTime() <= now) ||
        (entry.invites > 0 && (entry.status === "WAITING" || lastNote(entry) === NOTE.inviteExpired));
      if (expired) throw reasonError("INVITE_EXPIRED");
      if (entry.status !== "INVITED") throw reasonError("NOT_INVITED");
      const at = new Date(now);
      const updated = await this.line.stepEntry(oh.version + 1, entry, "IN_MEETING", at, student.id, null, { meetingStartedAt: at, inviteJob: null });
      if (entry.inviteJob) await this.deps.timers.cancel(entry.inviteJob);
      return { event: "InviteAccepted", entry: updated };
    }));
  }

  // ---- staff ----

  async openOfficeHours(staff: AuthUser, courseId: string, meetingLink: string): Promise<StatusView> {
    const course = await staffCourse(this.deps.courses, staff, courseId);
    const link = meetingLink.trim();
    // Pushed to students' screens: nothing but an https link.
    if (!isHttpsUrl(link, MAX_TEXT)) throw fail("BAD_USER_INPUT", `The meeting link must be an https URL (at most ${MAX_TEXT} characters)`, "INVALID_MEETING_LINK");
    const { queue } = await this.line.change(course._id, staff, async (oh, now) => {
      const onDuty = oh.onDuty.filter((d) => d.staff.toHexString() !== staff.id);
      const since = oh.onDuty.find((d) => d.staff.toHexString() === staff.id)?.since ?? new Date(now);
      return { event: "OfficeHoursOpened", officeHours: { onDuty: [...onDuty, { staff: oid(staff.id), since, meetingLink: link }] } };
    });
    return viewStatus(queue, { userId: staff.id, seesEveryone: true });
  }

  /** Goes off duty; office hours close when nobody is left (or for everyone, when asked). */
  async closeOfficeHours(staff: AuthUser, courseId: string, everyone: boolean): Promise<StatusView> {
    const course = await staffCourse(this.deps.courses, staff, courseId);
    const { queue } = await this.line.change(course._id, staff, async (oh) => {
      const onDuty = everyone ? [] : oh.onDuty.filter((d) => d.staff.toHexString() !== staff.id);
      return { event: "OfficeHoursClosed", officeHours: { onDuty } };
    });
    return viewStatus(queue, { userId: staff.id, seesEveryone: true });
  }

  /** Invites the oldest waiting student (null when nobody waits). */
  async callNext(staff: AuthUser, courseId: string): Promise<EntryView | null> {
    const course = await staffCourse(this.deps.courses, staff, courseId);
    const changed = await this.line.change(course._id, staff, async (oh, now) => {
      const duty = oh.onDuty.find((d) => d.staff.toHexString() === staff.id);
      if (!duty) throw reasonError("OFFICE_HOURS_CLOSED");
      const held = oh.line.find((e) => e.staff?.toHexString() === staff.id);
      if (held) throw heldError(held.status);
      const next = oh.line.find((e) => e.status === "WAITING");
      if (!next) return { entry: null };
      const id = next._id.toHexString();
      const at = new Date(now);
      const expiresAt = new Date(now + this.deps.inviteTtlSeconds * 1000);
      const inviteJob = await this.deps.timers.schedule("invite", courseId, id, expiresAt);
      let invited: QueueEntryDoc;
      try {
        // The first WAITING entry becomes INVITED: a conditional update of that entry.
        invited = await this.line.stepEntry(oh.version + 1, next, "INVITED", at, staff.id, null, {
          staff: oid(staff.id),
          staffKey: staff.id,
          meetingLink: duty.meetingLink,
          invitedAt: at,
          inviteExpiresAt: expiresAt,
          waitEndsAt: null,
          waitJob: null,
          inviteJob,
          invites: next.invites + 1,
        });
      } catch (e) {
        await this.deps.timers.cancel(inviteJob);
        // This staff member holds an invite or meeting in another course.
        if (isDuplicateKey(e)) throw await this.heldElsewhere(staff.id);
        throw e;
      }
      if (next.waitJob) await this.deps.timers.cancel(next.waitJob);
      return { event: "StudentInvited", entry: invited };
    });
    return changed.entry ? viewChanged(changed) : null;
  }

  async endMeeting(staff: AuthUser, entryId: string): Promise<EntryView> {
    const found = await this.entry(entryId);
    const course = await staffCourse(this.deps.courses, staff, found.course.toHexString());
    return viewChanged(await this.line.change(course._id, staff, async (oh, now) => {
      const entry = inLine(oh, entryId);
      if (entry?.status !== "IN_MEETING") throw reasonError("NOT_IN_MEETING");
      const updated = await this.finish(oh.version + 1, entry, "DONE", now, staff.id, null);
      const seconds = (now - entry.meetingStartedAt!.getTime()) / 1000;
      const cooldownFrom = now - oh.cooldownMinutes * 60_000;
      return {
        event: "MeetingEnded",
        entry: updated,
        officeHours: {
          recentMeetingSeconds: [...oh.recentMeetingSeconds, seconds].slice(-RECENT_MEETINGS),
          recentlyHelped: oh.cooldownMinutes > 0 ? [...oh.recentlyHelped.filter((h) => h.at.getTime() > cooldownFrom), { student: entry.student, at: new Date(now) }] : [],
        },
      };
    }));
  }

  async removeFromQueue(staff: AuthUser, entryId: string, reason: string | null): Promise<EntryView> {
    const found = await this.entry(entryId);
    const course = await staffCourse(this.deps.courses, staff, found.course.toHexString());
    return viewChanged(await this.line.change(course._id, staff, async (oh, now) => {
      const entry = inLine(oh, entryId);
      if (!entry) throw reasonError("ENTRY_CLOSED");
      const updated = await this.finish(oh.version + 1, entry, "REMOVED", now, staff.id, reason?.trim().slice(0, MAX_TEXT) || null);
      return { event: "RemovedFromQueue", entry: updated };
    }));
  }

  async setPolicy(staff: AuthUser, courseId: string, input: PolicyInput): Promise<StatusView> {
    const course = await staffCourse(this.deps.courses, staff, courseId);
    const set: Partial<OfficeHoursDoc> = {};
    if (input.expiredInvite) set.expiredInvite = input.expiredInvite;
    if (input.maxQueueLength !== undefined) set.maxQueueLength = input.maxQueueLength || null;
    if (input.cooldownMinutes !== undefined) set.cooldownMinutes = input.cooldownMinutes ?? 0;
    if (input.maxWaitSeconds !== undefined) set.maxWaitSeconds = input.maxWaitSeconds || null;
    const { queue } = await this.line.change(course._id, staff, async () => ({ event: "OfficeHoursPolicySet", officeHours: set }));
    return viewStatus(queue, { userId: staff.id, seesEveryone: true });
  }

  // ---- what viewers see (reads.ts) and the planned windows (windows.ts) ----

  queue(viewer: AuthUser, courseId: string): Promise<QueueView> {
    return this.reads.queue(viewer, courseId);
  }
  status(viewer: AuthUser, courseId: string): Promise<StatusView> {
    return this.reads.status(viewer, courseId);
  }
  myEntry(student: AuthUser, courseId: string): Promise<EntryView | null> {
    return this.reads.myEntry(student, courseId);
  }
  openForStudent(student: AuthUser): Promise<StatusView[]> {
    return this.reads.openForStudent(student);
  }
  watcher(viewer: AuthUser, courseId: string): Promise<{ courseId: string; seesEveryone: boolean }> {
    return this.reads.watcher(viewer, courseId);
  }
  current(courseId: string): Promise<QueueState> {
    return this.reads.current(courseId);
  }
  stats(viewer: AuthUser, courseId: string, from: Date, to: Date): Promise<OfficeHoursStatsView> {
    return this.reads.stats(viewer, courseId, from, to);
  }
  schedule(staff: AuthUser, courseId: string, input: WindowInput): Promise<OfficeHoursWindowDoc> {
    return this.windows.schedule(staff, courseId, input);
  }
  cancelWindow(staff: AuthUser, windowId: string): Promise<OfficeHoursWindowDoc> {
    return this.windows.cancelWindow(staff, windowId);
  }
  scheduleOf(viewer: AuthUser, courseId: string, from: Date, to: Date): Promise<OfficeHoursWindowDoc[]> {
    return this.windows.scheduleOf(viewer, courseId, from, to);
  }

  // ---- the deadlines (expiry.ts) ----

  deadlineReached(kind: TimeoutKind, courseId: string, entryId: string, deadline: Date): Promise<void> {
    return this.expiry.deadlineReached(kind, courseId, entryId, deadline);
  }
  sweep(): Promise<void> {
    return this.expiry.sweep();
  }

  /** Moves an entry to a final state: it leaves the line, frees its staff member, and its pending deadlines are cancelled. */
  private finish(version: number, entry: QueueEntryDoc, status: QueueEntryStatus, now: number, actorId: string | null, note: string | null): Promise<QueueEntryDoc> {
    return finishEntry(this.line, this.deps.timers, version, entry, status, now, actorId, note);
  }

  /** Why a staff member who holds an invite or meeting in another course cannot call now. */
  private async heldElsewhere(staffId: string): Promise<Error> {
    const held = await QueueEntryModel.findOne({ staffKey: staffId }).select({ status: 1 }).lean<Pick<QueueEntryDoc, "status">>();
    return heldError(held?.status ?? "INVITED");
  }

  private async entry(entryId: string): Promise<QueueEntryDoc> {
    const entry = isObjectId(entryId) ? await QueueEntryModel.findById(entryId).lean<QueueEntryDoc>() : null;
    if (!entry) throw fail("NOT_FOUND", "Queue entry not found", "ENTRY_NOT_FOUND");
    return entry;
  }

  private async openCourse(courseId: string): Promise<CourseDoc> {
    const course = await this.deps.courses.get(courseId);
    if (course.archived) throw fail("CONFLICT", "This course is archived", "COURSE_ARCHIVED");
    return course;
  }
}

/** The changed entry as its viewer sees it (it was part of the change, so it exists). */
const viewChanged = (c: Changed): EntryView => viewEntry(c.entry!, c.queue);

const oid = (id: string) => new Types.ObjectId(id);
const activeKey = (courseId: string, studentId: string) => `${courseId}:${studentId}`;
const lastNote = (e: QueueEntryDoc) => e.history.at(-1)?.note ?? null;
const inLine = (oh: OfficeHoursDoc, entryId: string) => oh.line.find((e) => e._id.toHexString() === entryId);

/** When the student's cooldown (policy) ends, if they were helped within it. */
function cooldownEnd(oh: OfficeHoursDoc, studentId: string, now: number): Date | null {
  if (oh.cooldownMinutes <= 0) return null;
  const ms = oh.cooldownMinutes * 60_000;
  const last = oh.recentlyHelped.filter((h) => h.student.toHexString() === studentId && h.at.getTime() + ms > now).at(-1);
  return last ? new Date(last.at.getTime() + ms) : null;
}
