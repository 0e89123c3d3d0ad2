// The deadlines of office-hours entries (invite expiry, maximum wait), as the service schedules and
// cancels them. Each deadline is kept twice:
// - in a Redis sorted set polled by every instance (src/platform/deadlines.ts): what ends it on time,
//   within ~100 ms, also in a burst of 1,000 at once;
// - as an Agenda job, stored in MongoDB: what enforces it should Redis lose the set (it keeps
//   nothing on disk here). The job is due AGENDA_GRACE_MS after the deadline, so in normal operation
//   it is cancelled (deleted by its id) before Agenda ever locks it. Agenda is too slow to end the
//   deadlines itself within the bar (1,000 invites expiring together, at most 1 s late at p99): it
//   locks one job at a time, each job costs four writes (its lock, a sorted findOneAndUpdate of
//   3.1 ms with 1,000 pending on the stand-in, scripts/probe-mongo.ts `agendaLock`; its start; its end),
//   where the Redis set claims a poll's worth of due deadlines in one command.
// Both run the same handler (src/jobs/officeHours.ts), a no-op when the entry has moved on, so either
// may run it twice.
import type { Agenda } from "agenda";
import type { RedisDeadlines } from "../../platform/deadlines";
import type { Logger } from "../../platform/logger";
import type { EntryTimers, TimeoutKind } from "./expiry";

export const ENTRY_DEADLINE_JOB = "office-hours:entry-deadline";
/** How long after a deadline its Agenda job comes due (longer than Agenda's look-ahead of one poll, 1 s). */
export const AGENDA_GRACE_MS = 5_000;

export interface DeadlineData {
  kind: TimeoutKind;
  courseId: string;
  entryId: string;
  /** ISO-8601: the deadline (the handler checks the entry still has it). */
  at: string;
}

/**
 * A deadline's handle (what the entry stores, and the member of the Redis set):
 * kind:courseId:entryId:dueMs:agendaJobId.
 */
const encode = (d: DeadlineData, jobId: string) => [d.kind, d.courseId, d.entryId, Date.parse(d.at), jobId].join(":");
function decode(handle: string): { data: DeadlineData; jobId: string } | null {
  const [kind, courseId, entryId, at, jobId] = handle.split(":");
  if (!jobId || (kind !== "invite" && kind !== "wait")) return null;
  return { data: { kind, courseId, entryId, at: new Date(Number(at)).toISOString() }, jobId };
}

/**
 * Cancelled jobs are deleted together, this often: one `deleteMany` by ids instead of one delete per
 * cancel (1,000 invites expiring together would pay a delete each, ~1 ms of the database's time, on
 * the path of the expiry). Well inside AGENDA_GRACE_MS, so a job is gone before it is due.
 */
const CANCEL_EVERY_MS = 250;

export class EntryDeadlines implements EntryTimers {
  /** Agenda job ids waiting for the next batched delete. */
  private cancelled = new Set<string>();
  private cancelTimer?: NodeJS.Timeout;
  private cancelling: Promise<void> = Promise.resolve();

  constructor(
    private readonly agenda: Agenda,
    private readonly due: RedisDeadlines,
    private readonly logger: Logger,
  ) {}

  async schedule(kind: TimeoutKind, courseId: string, entryId: string, at: Date): Promise<string> {
    const data: DeadlineData = { kind, courseId, entryId, at: at.toISOString() };
    const job = await this.agenda.schedule<DeadlineData>(new Date(at.getTime() + AGENDA_GRACE_MS), ENTRY_DEADLINE_JOB, data);
    const handle = encode(data, String(job.attrs._id));
    await this.due.add(handle, at);
    return handle;
  }

  /** Ends a deadline now in Redis (it can no longer fire); its Agenda job is deleted with the next batch. */
  async cancel(handle: string): Promise<void> {
    const parsed = decode(handle);
    await this.due.remove(handle);
    if (!parsed) return;
    this.cancelled.add(parsed.jobId);
    this.cancelTimer ??= setTimeout(() => void this.flushCancels(), CANCEL_EVERY_MS);
  }

  /** Deletes the cancelled jobs in one command (a failure is logged: a leftover job only runs a no-op). */
  private flushCancels(): Promise<void> {
    clearTimeout(this.cancelTimer);
    this.cancelTimer = undefined;
    const ids = [...this.cancelled];
    this.cancelled = new Set();
    if (!ids.length) return this.cancelling;
    this.cancelling = this.cancelling.then(() =>
      this.agenda.cancel({ ids }).then(
        () => undefined,
        (err) => this.logger.warn({ err, jobs: ids.length }, "office-hours: cancelled deadline jobs not deleted (each will run as a no-op)"),
      ),
    );
    return this.cancelling;
  }

  /** Runs the deadlines of the Redis set as they come due (until `stop`): the workers call it. */
  start(reached: (d: DeadlineData) => Promise<void>): void {
    this.due.start(async (handle) => {
      const parsed = decode(handle);
      if (parsed) await reached(parsed.data);
    });
  }

  /** Stops the poll and deletes the cancelled jobs still waiting for their batch. */
  async stop(): Promise<void> {
    await this.due.stop();
    await this.flushCancels();
  }
}
