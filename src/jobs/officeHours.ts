// The deadlines of office-hours entries (invite expiry, maximum wait) as Agenda jobs: stored in
// MongoDB, so they survive restarts, and run by whichever instance locks them first. The handler is
// a no-op when the entry has moved on, and safe when Agenda runs a job twice (it does on FerretDB).
import { exponential, type Agenda, type Job } from "agenda";
import type { EntryTimers, OfficeHoursService, TimeoutKind } from "../domain/officeHours/service";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";

export const ENTRY_DEADLINE_JOB = "office-hours:entry-deadline";
/** The safety net: ends any deadline that has passed without its job (see OfficeHoursService.sweep). */
export const DEADLINE_SWEEP_JOB = "office-hours:deadline-sweep";
const SWEEP_EVERY = "15 seconds";

interface DeadlineData {
  kind: TimeoutKind;
  entryId: string;
  /** ISO-8601: the deadline this job was scheduled for (the handler checks the entry still has it). */
  at: string;
}

/** How many deadlines one instance handles at once (1,000 invites may expire in the same second). */
const CONCURRENCY = 50;
/**
 * A deadline locked by an instance that then died is taken over after this long. Agenda also skips
 * a job whose lock is older than this when its turn comes; on FerretDB, locking a burst of 1,000
 * jobs one by one takes seconds, so the lifetime must outlast that (each job's sweep keeps expiry
 * on time meanwhile).
 */
const LOCK_LIFETIME_MS = 15_000;

export class AgendaEntryTimers implements EntryTimers {
  constructor(private readonly agenda: Agenda) {}

  async schedule(kind: TimeoutKind, entryId: string, at: Date): Promise<string> {
    const job = await this.agenda.schedule<DeadlineData>(at, ENTRY_DEADLINE_JOB, { kind, entryId, at: at.toISOString() });
    return String(job.attrs._id);
  }

  /** By the job's id: the one lookup FerretDB serves from an index. */
  async cancel(jobId: string): Promise<void> {
    await this.agenda.cancel({ id: jobId });
  }
}

export function defineOfficeHoursJobs(agenda: Agenda, officeHours: OfficeHoursService, logger: Logger, metrics: Metrics): void {
  agenda.define(DEADLINE_SWEEP_JOB, () => officeHours.sweep(), { concurrency: 1, lockLifetime: LOCK_LIFETIME_MS });
  agenda.define<DeadlineData>(
    ENTRY_DEADLINE_JOB,
    async (job: Job<DeadlineData>) => {
      const { kind, entryId, at } = job.attrs.data;
      metrics.jobLag.observe({ job: ENTRY_DEADLINE_JOB }, Math.max(0, Date.now() - Date.parse(at)) / 1000);
      try {
        await officeHours.deadlineReached(kind, entryId, new Date(at));
      } catch (err) {
        logger.error({ err, kind, entryId }, "office-hours deadline failed");
        throw err;
      }
    },
    // A deadline that failed (Redis or MongoDB briefly down) is retried soon, not dropped.
    { concurrency: CONCURRENCY, lockLimit: 0, lockLifetime: LOCK_LIFETIME_MS, removeOnComplete: true, backoff: exponential({ delay: 500, maxRetries: 6 }) },
  );
}

export async function scheduleOfficeHoursJobs(agenda: Agenda): Promise<void> {
  await agenda.every(SWEEP_EVERY, DEADLINE_SWEEP_JOB);
}
