// The deadlines of office-hours entries (invite expiry, maximum wait): each is an Agenda job stored in
// MongoDB, due at the deadline. Whichever instance locks it first runs it (the lock is an atomic
// findOneAndUpdate), once; a job whose instance died while running it is taken over when its lock
// lifetime ends, and a job survives any restart. The handler is a no-op when the entry has moved on
// (accepted, cancelled, requeued), so a job that lost a race to its cancellation does nothing.
import { exponential, type Agenda, type Job } from "agenda";
import type { EntryTimers, OfficeHoursService, TimeoutKind } from "../domain/officeHours/service";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";

export const ENTRY_DEADLINE_JOB = "office-hours:entry-deadline";

interface DeadlineData {
  kind: TimeoutKind;
  courseId: string;
  entryId: string;
  /** ISO-8601: the deadline (the handler checks the entry still has it). */
  at: string;
}

/** How many deadlines one instance runs at once. */
const CONCURRENCY = 50;
/** A deadline locked by an instance that then died is taken over after this long. */
const LOCK_LIFETIME_MS = 15_000;
/**
 * Cancelled jobs are deleted together, this often: one `deleteMany` by ids instead of one delete per
 * cancel (a burst of accepts or expiries cancels hundreds at once). A cancelled job that comes due
 * before its delete runs as a no-op.
 */
const CANCEL_EVERY_MS = 250;

export class EntryDeadlines implements EntryTimers {
  /** Agenda job ids waiting for the next batched delete. */
  private cancelled = new Set<string>();
  private cancelTimer?: NodeJS.Timeout;
  private cancelling: Promise<void> = Promise.resolve();

  constructor(
    private readonly agenda: Agenda,
    private readonly logger: Logger,
  ) {}

  /** Stores the deadline's job; its id is the handle the entry keeps. */
  async schedule(kind: TimeoutKind, courseId: string, entryId: string, at: Date): Promise<string> {
    const job = await this.agenda.schedule<DeadlineData>(at, ENTRY_DEADLINE_JOB, { kind, courseId, entryId, at: at.toISOString() });
    return String(job.attrs._id);
  }

  /** The job is deleted with the next batch. */
  cancel(handle: string): Promise<void> {
    this.cancelled.add(handle);
    this.cancelTimer ??= setTimeout(() => void this.flushCancels(), CANCEL_EVERY_MS);
    return Promise.resolve();
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

  /** Deletes what is waiting to be deleted (at shutdown, after Agenda stopped). */
  stop(): Promise<void> {
    return this.flushCancels();
  }
}

/** Defines the office-hours deadline job. */
export function defineOfficeHoursJobs(agenda: Agenda, officeHours: OfficeHoursService, logger: Logger, metrics: Metrics): void {
  agenda.define<DeadlineData>(
    ENTRY_DEADLINE_JOB,
    async (job: Job<DeadlineData>) => {
      const { kind, courseId, entryId, at } = job.attrs.data;
      metrics.jobLag.observe({ job: ENTRY_DEADLINE_JOB }, Math.max(0, Date.now() - Date.parse(at)) / 1000);
      try {
        await officeHours.deadlineReached(kind, courseId, entryId, new Date(at));
      } catch (err) {
        logger.error({ err, kind, entryId }, "office-hours deadline failed (retried)");
        throw err;
      }
    },
    {
      concurrency: CONCURRENCY,
      lockLimit: 0,
      lockLifetime: LOCK_LIFETIME_MS,
      removeOnComplete: true,
      // A deadline that failed (Redis or MongoDB briefly down) is retried soon, not dropped.
      backoff: exponential({ delay: 500, maxRetries: 6 }),
    },
  );
}
