// The entries' deadlines (SPEC 4.3): an invite not accepted in time expires (the student is dropped,
// or re-queued once at the front, by the course's policy), and a wait longer than the course's
// maximum ends. deadlines.ts keeps each deadline (a Redis set, an Agenda job behind it) and
// src/jobs/officeHours.ts runs them, calling `deadlineReached`; `sweep` ends what both missed. Ending
// one is a change of the line (under its lock) that acts only if the entry still has that deadline, so
// one ended twice or late is a no-op.
import { Types } from "mongoose";
import type { QueueEntryDoc, QueueEntryStatus } from "../../models/officeHours";
import type { Clock } from "../../platform/clock";
import type { Logger } from "../../platform/logger";
import { forEachConcurrently } from "../../platform/async";
import { isObjectId } from "../../platform/ids";
import type { CoursesService } from "../courses";
import type { LineStore } from "./lineStore";
import { NOTE } from "./stats";

/** The two deadlines of an entry, each enforced by a scheduled job. */
export type TimeoutKind = "invite" | "wait";

/** Keeps the deadlines that end invites and waits (Redis and Agenda, see deadlines.ts). */
export interface EntryTimers {
  /** Returns the deadline's handle (stored on the entry). */
  schedule(kind: TimeoutKind, courseId: string, entryId: string, at: Date): Promise<string>;
  /** Cancels a pending deadline (nothing happens if it ran already). */
  cancel(handle: string): Promise<void>;
}

/** How many due deadlines one sweep ends at once. */
const SWEEP_PARALLELISM = 32;
/** Clock skew between instances tolerated by waiting (beyond it, the deadline's periodic sweep ends it). */
const MAX_EARLY_MS = 5_000;

export class EntryExpiry {
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      courses: CoursesService;
      line: LineStore;
      timers: EntryTimers;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /**
   * A deadline came due (src/jobs/officeHours.ts: the Redis set, or the Agenda job behind it): ends
   * the entry's invite or wait if it still has that deadline.
   */
  async deadlineReached(kind: TimeoutKind, courseId: string, entryId: string, deadline: Date): Promise<void> {
    if (!isObjectId(courseId)) return;
    // An instance whose clock runs ahead may see it early: never end a deadline before it.
    const early = deadline.getTime() - this.deps.clock();
    if (early > 0) await new Promise((r) => setTimeout(r, Math.min(early, MAX_EARLY_MS)));
    await this.expire(kind, new Types.ObjectId(courseId), entryId, deadline);
  }

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
    const due: { kind: TimeoutKind; entry: QueueEntryDoc; at: Date }[] = [];
    for (const line of await this.deps.line.due(now)) {
      for (const entry of line) {
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
    const { line, timers } = this.deps;
    await line.change(course._id, null, async (oh, now) => {
      const entry = oh.line.find((e) => e._id.toHexString() === entryId);
      if (!entry || !timedOut(entry, kind, deadline)) return { entry: null };
      if (kind === "wait") return { event: "QueueWaitExpired", entry: await finishEntry(line, timers, oh.version + 1, entry, "EXPIRED", now, null, NOTE.maxWait) };
      if (oh.expiredInvite === "REQUEUE_ONCE" && !entry.requeued) {
        const at = new Date(now);
        const front = Math.min(now, ...oh.line.filter((e) => e.status === "WAITING").map((e) => e.sortKey)) - 1;
        const waitEndsAt = oh.maxWaitSeconds ? new Date(now + oh.maxWaitSeconds * 1000) : null;
        const waitJob = waitEndsAt ? await timers.schedule("wait", courseId.toHexString(), entryId, waitEndsAt) : null;
        const updated = await line.stepEntry(oh.version + 1, entry, "WAITING", at, null, NOTE.requeued, {
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
      const updated = await finishEntry(line, timers, oh.version + 1, entry, "EXPIRED", now, null, NOTE.inviteExpired);
      return { event: "InviteExpired", entry: updated, extra: { requeued: false } };
    });
  }
}

/** Moves an entry to a final state (it leaves the line, frees its staff member) and cancels its pending deadlines. */
export async function finishEntry(
  line: LineStore,
  timers: EntryTimers,
  version: number,
  entry: QueueEntryDoc,
  status: QueueEntryStatus,
  now: number,
  actorId: string | null,
  note: string | null,
): Promise<QueueEntryDoc> {
  const updated = await line.endEntry(version, entry, status, now, actorId, note);
  // A job that is running (the deadline ending this entry) is not pending: cancelling it does nothing.
  await Promise.all([entry.inviteJob, entry.waitJob].filter((job): job is string => !!job).map((job) => timers.cancel(job)));
  return updated;
}

function timedOut(entry: QueueEntryDoc, kind: TimeoutKind, deadline: Date): boolean {
  if (kind === "invite") return entry.status === "INVITED" && entry.inviteExpiresAt?.getTime() === deadline.getTime();
  return entry.status === "WAITING" && entry.waitEndsAt?.getTime() === deadline.getTime();
}
