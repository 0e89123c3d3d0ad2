// Office hours (SPEC 4.3): one FIFO line per course, served by every staff member on duty.
//
// Each change of a line runs under that course's lock (src/platform/locks.ts): the rules are checked
// and the change applied as one step on any number of instances (no transaction spans the line and
// its entries, and the line lives in Redis ahead of MongoDB). A change reads the course's office-hours document (which holds the line),
// writes the entry (a conditional update on its state: `callNext` turns the first WAITING entry
// INVITED), then stores the line with its version raised in Redis (lineCache.ts), publishes the event
// and releases the lock; the line's MongoDB write follows behind (lineWriter.ts), so neither viewers
// nor the course's next change wait for it. Lines and entries are read and written by `_id`. Unique keys on the entries
// (`activeKey`, `staffKey`) hold the two invariants in the database as well. Every transition is
// appended to the entry's history and published as an event carrying the whole line, from which every
// live view is derived. Should an entry and its line ever disagree (an instance died between the two
// writes), the line is rebuilt from the entries the next time it is touched.
import { Types } from "mongoose";
import { isCourseStaff, seesWholeLine } from "../../auth/policies";
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import type { EventCatalogue, QueueEntryState, QueueState } from "../../events/catalogue";
import type { CourseDoc } from "../../models/course";
import {
  ACTIVE_STATUSES,
  decodeLine,
  encodeLine,
  type StoredOfficeHours,
  OfficeHoursModel,
  OfficeHoursWindowModel,
  QueueEntryModel,
  type ExpiredInvitePolicy,
  type OfficeHoursDoc,
  type OfficeHoursWindowDoc,
  type QueueEntryDoc,
  type QueueEntryStatus,
} from "../../models/officeHours";
import type { Clock } from "../../platform/clock";
import { fail, nullIfNotFound, type ErrorCode } from "../../platform/errors";
import { isHttpsUrl } from "../../platform/inputRules";
import type { Locks } from "../../platform/locks";
import type { Logger } from "../../platform/logger";
import { forEachConcurrently } from "../../platform/async";
import { isObjectId } from "../../platform/ids";
import { isDuplicateKey } from "../../platform/duplicateKey";
import type { CoursesService } from "../courses";
import type { EnrollmentService } from "../enrollment/service";
import { RECENT_MEETINGS } from "./estimate";
import type { OfficeHoursCache } from "./lineCache";
import { LineWriter } from "./lineWriter";
import { computeStats, NOTE, type OfficeHoursStatsView } from "./stats";
import { entryState, queueState, viewEntry, viewQueue, viewStatus, type EntryView, type QueueView, type StatusView } from "./views";
import { actorOf } from "../../events/catalogue";

/** The two deadlines of an entry, each enforced by a scheduled job. */
export type TimeoutKind = "invite" | "wait";

/** Keeps the deadlines that end invites and waits (Redis and Agenda, see src/jobs/officeHours.ts). */
export interface EntryTimers {
  /** Returns the deadline's handle (stored on the entry). */
  schedule(kind: TimeoutKind, courseId: string, entryId: string, at: Date): Promise<string>;
  /** Cancels a pending deadline (nothing happens if it ran already). */
  cancel(handle: string): Promise<void>;
}

export interface PolicyInput {
  expiredInvite?: ExpiredInvitePolicy | null;
  /** 0 or null: no limit. */
  maxQueueLength?: number | null;
  cooldownMinutes?: number | null;
  /** 0 or null: no limit. */
  maxWaitSeconds?: number | null;
}

export interface WindowInput {
  startsAt: Date;
  endsAt: Date;
  location?: string | null;
  note?: string | null;
}

/** Thrown inside a change when an entry is not in the state its line says: the line is rebuilt, then `then` thrown. */
class LineOutOfSync extends Error {
  constructor(readonly then: Error) {
    super("office-hours line out of sync with its entries");
  }
}

const REASONS: Record<string, [ErrorCode, string]> = {
  NOT_ENROLLED: ["FORBIDDEN", "Only students enrolled in the course may join its office hours"],
  ALREADY_IN_QUEUE: ["CONFLICT", "You are already in this course's line"],
  QUEUE_FULL: ["CONFLICT", "The line is full, try again later"],
  COOLDOWN: ["CONFLICT", "You were helped recently; you may join again after the cooldown"],
  OFFICE_HOURS_CLOSED: ["CONFLICT", "Open office hours (go on duty) before calling students"],
  INVITE_PENDING: ["CONFLICT", "You already have an invite waiting for an answer"],
  MEETING_IN_PROGRESS: ["CONFLICT", "A meeting is in progress"],
  INVITE_EXPIRED: ["CONFLICT", "The invite has expired"],
  NOT_INVITED: ["CONFLICT", "There is no invite to accept"],
  NOT_IN_QUEUE: ["NOT_FOUND", "You are not in this course's line"],
  NOT_IN_MEETING: ["CONFLICT", "This entry is not in a meeting"],
  ENTRY_CLOSED: ["CONFLICT", "This entry has already left the line"],
};

const reasonError = (reason: keyof typeof REASONS, details?: Record<string, unknown>) => {
  const [code, message] = REASONS[reason];
  return fail(code, message, reason, details);
};

const MAX_STATS_DAYS = 366;
/**
 * A line's MongoDB write waits this long for newer versions of it (lineWriter.ts), so the changes of
 * a course that come together cost one write: a call and its accept, two staff calling, their two
 * invites expiring. Measured with the office-hours benchmark (docs/benchmarks.md): 250 ms took the
 * live part's database CPU from 100 to 65 s; 1 s took the expiry part's p99 from
 * ~1.2 s to 0.37 s on the same machine.
 */
const LINE_WRITE_DELAY_MS = 1000;
/** How many due deadlines one sweep ends at once. */
const SWEEP_PARALLELISM = 32;
/** Clock skew between instances tolerated by waiting (beyond it, the deadline's periodic sweep ends it). */
const MAX_EARLY_MS = 5_000;
/** The most a question, meeting link or removal reason may hold. */
export const MAX_TEXT = 1000;
const MAX_SCHEDULE_ITEMS = 100;
/** A student's lines read at once by openForStudent (each usually a cache read). */
const OPEN_LOOKUPS = 8;
const DAY_MS = 86_400_000;

export class OfficeHoursService {
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
  ) {}

  /** The lines' MongoDB writes, behind the changes (`save`). */
  private readonly writer = new LineWriter(
    (doc) => this.store(doc),
    (err, doc, retrying) =>
      this.deps.logger[retrying ? "warn" : "error"](
        { err, courseId: doc._id.toHexString(), version: doc.version },
        retrying ? "office-hours line not written to MongoDB; retrying" : "office-hours line not written to MongoDB (the next change of the course writes it)",
      ),
    LINE_WRITE_DELAY_MS,
  );

  /** Finishes the lines' MongoDB writes still under way (shutdown). */
  stop(): Promise<void> {
    return this.writer.drain();
  }

  // ---- students ----

  async joinQueue(student: AuthUser, courseId: string, question: string): Promise<EntryView> {
    const course = await this.openCourse(courseId);
    if (!(await this.deps.enrollment.isEnrolled(student.id, courseId))) throw reasonError("NOT_ENROLLED");
    const text = question.trim();
    if (!text || text.length > MAX_TEXT) throw fail("BAD_USER_INPUT", `Say what you need help with (1 to ${MAX_TEXT} characters)`, "INVALID_QUESTION");
    return viewChanged(await this.change(course, student, async (oh, now) => {
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
      try {
        await QueueEntryModel.collection.insertOne(entry);
      } catch (e) {
        // Active in the database but not in the line: a change that died half-way; the repair shows it.
        if (isDuplicateKey(e)) throw new LineOutOfSync(reasonError("ALREADY_IN_QUEUE"));
        throw e;
      }
      return { event: "QueueJoined", entry, officeHours: { lastSortKey: sortKey } };
    }));
  }

  /** Leaves the line; declines the invite if one is pending. */
  async leaveQueue(student: AuthUser, courseId: string): Promise<EntryView> {
    const course = await this.deps.courses.get(courseId);
    return viewChanged(await this.change(course, student, async (oh, now) => {
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
    return viewChanged(await this.change(course, student, async (oh, now) => {
      const entry = inLine(oh, entryId) ?? (await this.entry(entryId));
      if (entry.status === "IN_MEETING") return { entry }; // accepted already: nothing changes
      const expired =
        (entry.status === "INVITED" && entry.inviteExpiresAt!.getTime() <= now) ||
        (entry.invites > 0 && (entry.status === "WAITING" || lastNote(entry) === NOTE.inviteExpired));
      if (expired) throw reasonError("INVITE_EXPIRED");
      if (entry.status !== "INVITED") throw reasonError("NOT_INVITED");
      const at = new Date(now);
      const updated = await this.transition(oh.version + 1, entry, "IN_MEETING", at, student.id, null, { meetingStartedAt: at, inviteJob: null });
      if (entry.inviteJob) await this.deps.timers.cancel(entry.inviteJob);
      return { event: "InviteAccepted", entry: updated };
    }));
  }

  async myEntry(student: AuthUser, courseId: string): Promise<EntryView | null> {
    const course = await this.deps.courses.get(courseId);
    const queue = await this.state(course._id);
    const active = queue.entries.find((e) => e.studentId === student.id);
    if (active) return viewEntry(active, queue);
    const latest = await QueueEntryModel.findOne({ course: course._id, student: oid(student.id) })
      .sort({ joinedAt: -1 })
      .lean<QueueEntryDoc>();
    return latest ? viewEntry(entryState(latest), queue) : null;
  }

  // ---- staff ----

  async openOfficeHours(staff: AuthUser, courseId: string, meetingLink: string): Promise<StatusView> {
    const course = await this.staffCourse(staff, courseId);
    const link = meetingLink.trim();
    // Pushed to students' screens: nothing but an https link.
    if (!isHttpsUrl(link, MAX_TEXT)) throw fail("BAD_USER_INPUT", `The meeting link must be an https URL (at most ${MAX_TEXT} characters)`, "INVALID_MEETING_LINK");
    const { queue } = await this.change(course, staff, async (oh, now) => {
      const onDuty = oh.onDuty.filter((d) => d.staff.toHexString() !== staff.id);
      const since = oh.onDuty.find((d) => d.staff.toHexString() === staff.id)?.since ?? new Date(now);
      return { event: "OfficeHoursOpened", officeHours: { onDuty: [...onDuty, { staff: oid(staff.id), since, meetingLink: link }] } };
    });
    return viewStatus(queue, { userId: staff.id, seesEveryone: true });
  }

  /** Goes off duty; office hours close when nobody is left (or for everyone, when asked). */
  async closeOfficeHours(staff: AuthUser, courseId: string, everyone: boolean): Promise<StatusView> {
    const course = await this.staffCourse(staff, courseId);
    const { queue } = await this.change(course, staff, async (oh) => {
      const onDuty = everyone ? [] : oh.onDuty.filter((d) => d.staff.toHexString() !== staff.id);
      return { event: "OfficeHoursClosed", officeHours: { onDuty } };
    });
    return viewStatus(queue, { userId: staff.id, seesEveryone: true });
  }

  /** Invites the oldest waiting student (null when nobody waits). */
  async callNext(staff: AuthUser, courseId: string): Promise<EntryView | null> {
    const course = await this.staffCourse(staff, courseId);
    const changed = await this.change(course, staff, async (oh, now) => {
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
        invited = await this.transition(oh.version + 1, next, "INVITED", at, staff.id, null, {
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
    const course = await this.staffCourse(staff, found.course.toHexString());
    return viewChanged(await this.change(course, staff, async (oh, now) => {
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
    const course = await this.staffCourse(staff, found.course.toHexString());
    return viewChanged(await this.change(course, staff, async (oh, now) => {
      const entry = inLine(oh, entryId);
      if (!entry) throw reasonError("ENTRY_CLOSED");
      const updated = await this.finish(oh.version + 1, entry, "REMOVED", now, staff.id, reason?.trim().slice(0, MAX_TEXT) || null);
      return { event: "RemovedFromQueue", entry: updated };
    }));
  }

  async setPolicy(staff: AuthUser, courseId: string, input: PolicyInput): Promise<StatusView> {
    const course = await this.staffCourse(staff, courseId);
    const set: Partial<OfficeHoursDoc> = {};
    if (input.expiredInvite) set.expiredInvite = input.expiredInvite;
    if (input.maxQueueLength !== undefined) set.maxQueueLength = input.maxQueueLength || null;
    if (input.cooldownMinutes !== undefined) set.cooldownMinutes = input.cooldownMinutes ?? 0;
    if (input.maxWaitSeconds !== undefined) set.maxWaitSeconds = input.maxWaitSeconds || null;
    const { queue } = await this.change(course, staff, async () => ({ event: "OfficeHoursPolicySet", officeHours: set }));
    return viewStatus(queue, { userId: staff.id, seesEveryone: true });
  }

  async schedule(staff: AuthUser, courseId: string, input: WindowInput): Promise<OfficeHoursWindowDoc> {
    const course = await this.staffCourse(staff, courseId);
    if (!(input.startsAt < input.endsAt)) throw fail("BAD_USER_INPUT", "A window must start before it ends", "INVALID_WINDOW");
    if (input.endsAt.getTime() - input.startsAt.getTime() > DAY_MS) throw fail("BAD_USER_INPUT", "A window lasts at most a day", "INVALID_WINDOW");
    if (input.endsAt.getTime() <= this.deps.clock()) throw fail("BAD_USER_INPUT", "A window must end in the future", "INVALID_WINDOW");
    const window = (
      await OfficeHoursWindowModel.create({
        course: course._id,
        host: oid(staff.id),
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        location: input.location?.trim() || null,
        note: input.note?.trim() || null,
      })
    ).toObject() as OfficeHoursWindowDoc;
    await this.deps.events.publish(
      "OfficeHoursScheduled",
      { courseId, windowId: window._id.toHexString(), hostId: staff.id, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() },
      actorOf(staff),
    );
    return window;
  }

  async cancelWindow(staff: AuthUser, windowId: string): Promise<OfficeHoursWindowDoc> {
    const found = isObjectId(windowId) ? await OfficeHoursWindowModel.findById(windowId).lean<OfficeHoursWindowDoc>() : null;
    if (!found) throw fail("NOT_FOUND", "Office-hours window not found", "WINDOW_NOT_FOUND");
    await this.staffCourse(staff, found.course.toHexString());
    await OfficeHoursWindowModel.updateOne({ _id: found._id }, { $set: { cancelled: true } });
    await this.deps.events.publish("OfficeHoursWindowCancelled", { courseId: found.course.toHexString(), windowId }, actorOf(staff));
    return { ...found, cancelled: true };
  }

  /** Planned windows overlapping [from, to) (at most 100, soonest first); for the course's students and staff. */
  async scheduleOf(viewer: AuthUser, courseId: string, from: Date, to: Date): Promise<OfficeHoursWindowDoc[]> {
    const course = await this.deps.courses.get(courseId);
    await this.requireViewer(viewer, course);
    requireRange(from, to);
    const rows = await OfficeHoursWindowModel.find({ course: course._id, cancelled: false, startsAt: { $lt: to }, endsAt: { $gt: from } }).lean<
      OfficeHoursWindowDoc[]
    >();
    return rows.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()).slice(0, MAX_SCHEDULE_ITEMS);
  }

  // ---- views ----

  /** The line as the viewer may see it: every entry for staff, counts and their own entry for students. */
  async queue(viewer: AuthUser, courseId: string): Promise<QueueView> {
    const course = await this.deps.courses.get(courseId);
    const seesEveryone = await this.requireViewer(viewer, course);
    return viewQueue(await this.state(course._id), { userId: viewer.id, seesEveryone });
  }

  async status(viewer: AuthUser, courseId: string): Promise<StatusView> {
    const course = await this.deps.courses.get(courseId);
    const seesEveryone = await this.requireViewer(viewer, course);
    return viewStatus(await this.state(course._id), { userId: viewer.id, seesEveryone });
  }

  /**
   * Office hours open now in the courses the student holds a seat in (archived ones left out), in
   * course order: where they may join a line that will be served.
   */
  async openForStudent(student: AuthUser): Promise<StatusView[]> {
    const courseIds = (await this.deps.enrollment.enrolledCourseIds(student.id)).sort();
    const views: (StatusView | null)[] = new Array(courseIds.length).fill(null);
    let failure: unknown;
    await forEachConcurrently(
      courseIds.map((id, i) => ({ id, i })),
      OPEN_LOOKUPS,
      async ({ id, i }) => {
        const course = await this.deps.courses.get(id).catch(nullIfNotFound);
        if (!course || course.archived || !(await this.hasOfficeHours(course._id))) return;
        const view = viewStatus(await this.state(course._id), { userId: student.id, seesEveryone: false });
        if (view.open) views[i] = view;
      },
      (err) => (failure ??= err),
    );
    if (failure) throw failure;
    return views.filter((v): v is StatusView => v !== null);
  }

  /** For subscriptions: may this user watch this line, and do they see every entry? */
  async watcher(viewer: AuthUser, courseId: string): Promise<{ courseId: string; seesEveryone: boolean }> {
    const course = await this.deps.courses.get(courseId);
    return { courseId: course._id.toHexString(), seesEveryone: await this.requireViewer(viewer, course) };
  }

  /** The line as it stands (what a subscriber gets first). */
  current(courseId: string): Promise<QueueState> {
    return this.state(oid(courseId));
  }

  async stats(viewer: AuthUser, courseId: string, from: Date, to: Date): Promise<OfficeHoursStatsView> {
    const course = await this.deps.courses.get(courseId);
    if (!seesWholeLine(viewer, course)) throw fail("FORBIDDEN", "Only course staff may see office-hours statistics", "NOT_COURSE_STAFF");
    requireRange(from, to);
    const entries = await QueueEntryModel.find({ course: course._id, joinedAt: { $gte: from, $lt: to } })
      .select({ status: 1, joinedAt: 1, history: 1 })
      .lean<Pick<QueueEntryDoc, "status" | "joinedAt" | "history">[]>();
    return computeStats(entries);
  }

  // ---- the expiry jobs ----

  /**
   * A deadline came due (src/jobs/officeHours.ts: the Redis set, or the Agenda job behind it): ends
   * the entry's invite or wait if it still has that deadline.
   */
  async deadlineReached(kind: TimeoutKind, courseId: string, entryId: string, deadline: Date): Promise<void> {
    if (!isObjectId(courseId)) return;
    // An instance whose clock runs ahead may see it early: never end a deadline before it.
    const early = deadline.getTime() - this.deps.clock();
    if (early > 0) await new Promise((r) => setTimeout(r, Math.min(early, MAX_EARLY_MS)));
    await this.expire(kind, oid(courseId), entryId, deadline);
  }

  private sweeping: Promise<void> | null = null;

  /**
   * Ends every due deadline. Also run periodically, as a safety net for a deadline whose job was
   * never stored (the instance died between the change and scheduling it).
   */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const now = new Date(this.deps.clock());
    const lines = await OfficeHoursModel.find({ nextDeadline: { $lte: now } }).select({ line: 1 }).lean<Pick<StoredOfficeHours, "line">[]>();
    const due: { kind: TimeoutKind; entry: QueueEntryDoc; at: Date }[] = [];
    for (const oh of lines) {
      for (const entry of decodeLine(oh.line)) {
        if (entry.status === "INVITED" && entry.inviteExpiresAt! <= now) due.push({ kind: "invite", entry, at: entry.inviteExpiresAt! });
        if (entry.status === "WAITING" && entry.waitEndsAt && entry.waitEndsAt <= now) due.push({ kind: "wait", entry, at: entry.waitEndsAt });
      }
    }
    await forEachConcurrently(
      due,
      SWEEP_PARALLELISM,
      (d) => this.expire(d.kind, d.entry.course, d.entry._id.toHexString(), d.at),
      (err, d) => this.deps.logger.error({ err, entryId: d.entry._id.toHexString() }, "office-hours deadline failed (its own job retries it)"),
    );
  }

  /**
   * Ends one invite or wait whose deadline has come. Safe to run twice or late: it only acts on the
   * entry if it is still in the state the deadline was set for (a job that lost a race is a no-op).
   */
  private async expire(kind: TimeoutKind, courseId: Types.ObjectId, entryId: string, deadline: Date): Promise<void> {
    const course = await this.deps.courses.get(courseId.toHexString());
    await this.change(course, null, async (oh, now) => {
      const entry = inLine(oh, entryId);
      if (!entry || !timedOut(entry, kind, deadline)) return { entry: null };
      if (kind === "wait") return { event: "QueueWaitExpired", entry: await this.finish(oh.version + 1, entry, "EXPIRED", now, null, NOTE.maxWait) };
      if (oh.expiredInvite === "REQUEUE_ONCE" && !entry.requeued) {
        const at = new Date(now);
        const front = Math.min(now, ...oh.line.filter((e) => e.status === "WAITING").map((e) => e.sortKey)) - 1;
        const waitEndsAt = oh.maxWaitSeconds ? new Date(now + oh.maxWaitSeconds * 1000) : null;
        const waitJob = waitEndsAt ? await this.deps.timers.schedule("wait", courseId.toHexString(), entryId, waitEndsAt) : null;
        const updated = await this.transition(oh.version + 1, entry, "WAITING", at, null, NOTE.requeued, {
          sortKey: front,
          waitingSince: at,
          requeued: true,
          staff: null,
          staffKey: entryId,
          inviteJob: null,
          waitEndsAt,
          waitJob,
        }, [{ status: "EXPIRED", at, actor: null, note: NOTE.inviteExpired }]);
        return { event: "InviteExpired", entry: updated, extra: { requeued: true } };
      }
      const updated = await this.finish(oh.version + 1, entry, "EXPIRED", now, null, NOTE.inviteExpired);
      return { event: "InviteExpired", entry: updated, extra: { requeued: false } };
    });
  }

  // ---- the one way a line changes ----

  /**
   * Runs `work` under the course's lock; if it changed the line, stores the line with its version
   * raised and publishes the event `work` names, still under the lock, so that events leave in
   * version order. Returns the line and the changed entry as it stands in it.
   */
  private async change(course: CourseDoc, actor: AuthUser | null, work: (oh: OfficeHoursDoc, now: number) => Promise<Change>): Promise<Changed> {
    const courseId = course._id.toHexString();
    return this.deps.locks.withLock(`office-hours:${courseId}`, async (held) => {
      const now = this.deps.clock();
      const oh = await this.officeHours(course._id, true);
      let result: Change;
      try {
        result = await work(oh, now);
      } catch (e) {
        if (!(e instanceof LineOutOfSync)) throw e;
        await this.repair(oh);
        throw e.then;
      }
      if (!result.event) {
        const queue = queueState(oh);
        return { queue, entry: result.entry ? (queue.entries.find((e) => e.entryId === result.entry!._id.toHexString()) ?? entryState(result.entry)) : null };
      }
      // The change is committed once `work` has written it: that is when it happened for viewers.
      const changedAt = new Date(this.deps.clock());
      const line = result.entry ? withEntry(oh.line, result.entry) : oh.line;
      const next: OfficeHoursDoc = { ...oh, ...result.officeHours, line, nextDeadline: nextDeadline(line), changedAt, version: oh.version + 1 };
      // Another holder may have the line now (this one was too slow to keep its lock): leave the
      // entry ahead of its line, which the next change repairs, rather than overwrite theirs.
      held.check();
      const queue = queueState(next);
      const changed = result.entry ? (queue.entries.find((e) => e.entryId === result.entry!._id.toHexString()) ?? entryState(result.entry)) : null;
      const payload = changed ? { courseId, entry: changed, queue, ...result.extra } : { courseId, staffId: actor?.id ?? "", queue };
      const event = result.event;
      // A change of an entry has its record in MongoDB already (the entry); one of the line alone
      // (duty, policy) has none but the line, which is therefore written before the answer.
      await this.save(oh, next, () => this.deps.events.publish(event, payload as never, actor ? actorOf(actor) : null), result.entry ? "behind" : "now");
      return { queue, entry: changed };
    });
  }

  /**
   * Stores the next version of a line, if it still follows the version read (it does, under the lock;
   * else the change fails): in Redis, where every reader finds it, then `announce` (the event: the
   * change is committed, its entry written), then MongoDB, the record the cache is rebuilt from: at
   * once, or behind (`writer`) when the change's own record (its entry) is stored already.
   */
  private async save(read: OfficeHoursDoc, next: OfficeHoursDoc, announce: () => Promise<unknown>, mongo: "now" | "behind"): Promise<void> {
    if (!(await this.deps.cache.advance(read.version, next))) throw lineMoved();
    await announce();
    if (mongo === "now") await this.store(next);
    else this.writer.enqueue(next);
  }

  /**
   * Writes a line to MongoDB unless MongoDB holds that version or a newer one, then unmarks its cached
   * copy. If MongoDB was ahead, its copy goes to the cache, which keeps it only if the cache held an
   * older version (a stale copy: the next change then starts from MongoDB's).
   */
  private async store(next: OfficeHoursDoc): Promise<void> {
    const { _id, line, ...fields } = next;
    const saved = await OfficeHoursModel.updateOne({ _id, version: { $lt: next.version } }, { $set: { ...fields, line: encodeLine(line) } });
    if (saved.matchedCount === 1) await this.deps.cache.saved(_id.toHexString(), next.version);
    else await this.deps.cache.put(await this.storedOfficeHours(_id));
  }

  /** Rebuilds a line from its active entries (under the course's lock) and publishes it. */
  private async repair(oh: OfficeHoursDoc): Promise<void> {
    const next = await this.fromEntries(oh, oh.version + 1);
    await this.save(oh, next, () => this.deps.events.publish("OfficeHoursLineRepaired", { courseId: oh._id.toHexString(), queue: queueState(next) }, null), "behind");
    this.deps.logger.warn({ courseId: oh._id.toHexString(), entries: next.line.length }, "office-hours line rebuilt from its entries");
  }

  /** The course's document with its line read again from the active entries, as `version`. */
  private async fromEntries(oh: OfficeHoursDoc, version: number): Promise<OfficeHoursDoc> {
    const line = (await QueueEntryModel.find({ activeIn: oh._id.toHexString() }).lean<QueueEntryDoc[]>()).sort((a, b) => a.sortKey - b.sortKey);
    return { ...oh, line, nextDeadline: nextDeadline(line), changedAt: new Date(this.deps.clock()), version };
  }

  /**
   * Whether the course's office-hours document exists (cached or stored), read without creating it as
   * the line's first read does: a course whose office hours were never used is not open, and a listing
   * of a student's courses writes nothing.
   */
  private async hasOfficeHours(courseId: Types.ObjectId): Promise<boolean> {
    if (await this.deps.cache.get(courseId.toHexString())) return true;
    return (await OfficeHoursModel.exists({ _id: courseId })) !== null;
  }

  private async state(courseId: Types.ObjectId): Promise<QueueState> {
    return queueState(await this.officeHours(courseId));
  }

  /**
   * The course's office-hours document (keyed by the course's id): cached, else read (and created on
   * first use). A copy still marked as being saved is the line if this instance is writing it;
   * otherwise it is compared with MongoDB's, and the newer one is the line (the marked copy is a
   * committed change; another instance may still be writing it). A change (`forChange`) then queues the
   * write of the marked copy too (its writer may have died between Redis and MongoDB). Should Redis
   * have lost a newer version this instance made, MongoDB gets that first.
   */
  private async officeHours(courseId: Types.ObjectId, forChange = false): Promise<OfficeHoursDoc> {
    const id = courseId.toHexString();
    const cached = await this.deps.cache.get(id);
    const mine = this.writer.newest(id);
    if (cached && (!cached.saving || mine === cached.doc.version)) return cached.doc;
    if (mine !== undefined && (!cached || mine > cached.doc.version)) await this.writer.settled(id);
    const stored = await this.storedOfficeHours(courseId);
    if (cached && cached.doc.version > stored.version) {
      if (forChange) this.writer.enqueue(cached.doc);
      return cached.doc;
    }
    if (!cached) return this.refill(stored);
    await this.deps.cache.put(stored);
    return stored;
  }

  /**
   * Fills the cache from MongoDB's line when Redis holds none. MongoDB's line may lack the last
   * changes of entries (written behind; Redis lost them with its copy, and their writer died): if an
   * entry records a later version than the line, the line is rebuilt from the entries with a version
   * past every one published, and stored.
   */
  private async refill(stored: OfficeHoursDoc): Promise<OfficeHoursDoc> {
    const last = await QueueEntryModel.findOne({ course: stored._id }).sort({ lineVersion: -1 }).select({ lineVersion: 1 }).lean<{ lineVersion?: number }>();
    const entriesVersion = last?.lineVersion ?? 0;
    if (entriesVersion <= stored.version) {
      await this.deps.cache.put(stored);
      return stored;
    }
    const rebuilt = await this.fromEntries(stored, entriesVersion + 1);
    await this.store(rebuilt);
    await this.deps.cache.put(rebuilt);
    this.deps.logger.warn({ courseId: stored._id.toHexString(), from: stored.version, to: rebuilt.version }, "office-hours line behind its entries rebuilt from them");
    return rebuilt;
  }

  private async storedOfficeHours(courseId: Types.ObjectId): Promise<OfficeHoursDoc> {
    const read = async () => {
      const found = await OfficeHoursModel.findById(courseId).lean<StoredOfficeHours>();
      return found && { ...found, line: decodeLine(found.line) };
    };
    const found = await read();
    if (found) return found;
    try {
      const created = (await OfficeHoursModel.create({ _id: courseId, course: courseId })).toObject() as StoredOfficeHours;
      return { ...created, line: [] };
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return (await read())!;
    }
  }

  /** Moves an entry to a final state: it leaves the line, frees its staff member, and its pending deadlines are cancelled. */
  private async finish(version: number, entry: QueueEntryDoc, status: QueueEntryStatus, now: number, actorId: string | null, note: string | null): Promise<QueueEntryDoc> {
    const at = new Date(now);
    const id = entry._id.toHexString();
    const updated = await this.transition(version, entry, status, at, actorId, note, {
      endedAt: at,
      activeKey: id,
      activeIn: null,
      staffKey: id,
      waitEndsAt: null,
      inviteJob: null,
      waitJob: null,
    });
    // A job that is running (the deadline ending this entry) is not pending: cancelling it does nothing.
    await Promise.all([entry.inviteJob, entry.waitJob].filter((job): job is string => !!job).map((job) => this.deps.timers.cancel(job)));
    return updated;
  }

  /**
   * One step of an entry: a conditional update (the entry must still be in the state its line says)
   * that appends to its history. Returns the entry as it now is.
   */
  private async transition(
    version: number,
    entry: QueueEntryDoc,
    status: QueueEntryStatus,
    at: Date,
    actorId: string | null,
    note: string | null,
    set: Partial<QueueEntryDoc>,
    before: QueueEntryDoc["history"] = [],
  ): Promise<QueueEntryDoc> {
    const steps = [...before, { status, at, actor: actorId ? oid(actorId) : null, note }];
    const written = await QueueEntryModel.updateOne(
      { _id: entry._id, status: entry.status, invites: entry.invites },
      { $set: { ...set, status, lineVersion: version }, $push: { history: { $each: steps } } },
    );
    if (written.matchedCount !== 1) throw new LineOutOfSync(fail("SERVICE_UNAVAILABLE", "The line was out of date and has been refreshed, try again", "LINE_REPAIRED"));
    return { ...entry, ...set, status, lineVersion: version, history: [...entry.history, ...steps] };
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

  private async staffCourse(staff: AuthUser, courseId: string): Promise<CourseDoc> {
    const course = await this.deps.courses.get(courseId);
    if (!isCourseStaff(staff, course)) throw fail("FORBIDDEN", "Only the course's staff may run its office hours", "NOT_COURSE_STAFF");
    return course;
  }

  /** Staff, ADMIN and OBSERVER see the whole line; enrolled students their part; others nothing. */
  private async requireViewer(viewer: AuthUser, course: CourseDoc): Promise<boolean> {
    if (seesWholeLine(viewer, course)) return true;
    if (viewer.role !== "STUDENT") throw fail("FORBIDDEN", "Only the course's staff and enrolled students may see its office hours", "NOT_COURSE_STAFF");
    if (await this.deps.enrollment.isEnrolled(viewer.id, course._id.toHexString())) return false;
    throw reasonError("NOT_ENROLLED");
  }
}

type EntryEvent = "QueueJoined" | "QueueLeft" | "StudentInvited" | "InviteAccepted" | "InviteExpired" | "MeetingEnded" | "RemovedFromQueue" | "QueueWaitExpired";
type LineEvent = "OfficeHoursOpened" | "OfficeHoursClosed" | "OfficeHoursPolicySet";
/** What a change did: the event to publish (none: nothing changed) and the entry it concerns. */
type Change =
  | { event?: undefined; entry: QueueEntryDoc | null }
  | {
      event: EntryEvent;
      entry: QueueEntryDoc;
      extra?: Partial<Pick<EventCatalogue["QueueLeft"], "declinedInvite"> & Pick<EventCatalogue["InviteExpired"], "requeued">>;
      /** Changes to the course's office-hours document, applied with the version bump. */
      officeHours?: Partial<OfficeHoursDoc>;
    }
  | { event: LineEvent; entry?: undefined; extra?: undefined; officeHours?: Partial<OfficeHoursDoc> };
interface Changed {
  queue: QueueState;
  entry: QueueEntryState | null;
}

/** The changed entry as its viewer sees it (it was part of the change, so it exists). */
const viewChanged = (c: Changed): EntryView => viewEntry(c.entry!, c.queue);

const oid = (id: string) => new Types.ObjectId(id);
const activeKey = (courseId: string, studentId: string) => `${courseId}:${studentId}`;
const lastNote = (e: QueueEntryDoc) => e.history.at(-1)?.note ?? null;
const inLine = (oh: OfficeHoursDoc, entryId: string) => oh.line.find((e) => e._id.toHexString() === entryId);

/** The line after an entry changed: still active, it keeps (or takes) its place by sortKey; otherwise it leaves. */
function withEntry(line: QueueEntryDoc[], entry: QueueEntryDoc): QueueEntryDoc[] {
  const others = line.filter((e) => !e._id.equals(entry._id));
  return ACTIVE_STATUSES.includes(entry.status) ? [...others, entry].sort((a, b) => a.sortKey - b.sortKey) : others;
}

function nextDeadline(line: QueueEntryDoc[]): Date | null {
  const times = line.flatMap((e) => [e.status === "INVITED" ? e.inviteExpiresAt : null, e.status === "WAITING" ? e.waitEndsAt : null]).filter((d): d is Date => !!d);
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
}

function timedOut(entry: QueueEntryDoc, kind: TimeoutKind, deadline: Date): boolean {
  if (kind === "invite") return entry.status === "INVITED" && entry.inviteExpiresAt?.getTime() === deadline.getTime();
  return entry.status === "WAITING" && entry.waitEndsAt?.getTime() === deadline.getTime();
}

/** When the student's cooldown (policy) ends, if they were helped within it. */
function cooldownEnd(oh: OfficeHoursDoc, studentId: string, now: number): Date | null {
  if (oh.cooldownMinutes <= 0) return null;
  const ms = oh.cooldownMinutes * 60_000;
  const last = oh.recentlyHelped.filter((h) => h.student.toHexString() === studentId && h.at.getTime() + ms > now).at(-1);
  return last ? new Date(last.at.getTime() + ms) : null;
}

const lineMoved = () => fail("SERVICE_UNAVAILABLE", "The line changed meanwhile, try again", "LOCK_UNAVAILABLE");

const heldError = (status: QueueEntryStatus) => reasonError(status === "IN_MEETING" ? "MEETING_IN_PROGRESS" : "INVITE_PENDING");

function requireRange(from: Date, to: Date): void {
  if (!(from < to)) throw fail("BAD_USER_INPUT", "`from` must be before `to`", "INVALID_RANGE");
  if (to.getTime() - from.getTime() > MAX_STATS_DAYS * DAY_MS) throw fail("BAD_USER_INPUT", `At most ${MAX_STATS_DAYS} days`, "INVALID_RANGE");
}
