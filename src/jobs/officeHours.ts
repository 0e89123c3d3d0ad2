// Runs the office-hours deadlines (src/domain/officeHours/deadlines.ts keeps them): the Redis set's
// poll that ends them on time, the Agenda job behind each as the durable backstop, and a sweep
// every 15 s for a deadline that neither kept. All three call the same handler, a no-op when the
// entry has moved on.
import { exponential, type Agenda, type Job } from "agenda";
import { ENTRY_DEADLINE_JOB, type DeadlineData, type EntryDeadlines } from "../domain/officeHours/deadlines";
import type { OfficeHoursService } from "../domain/officeHours/service";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";

/** The safety net: ends any deadline that has passed without its job (see OfficeHoursService.sweep). */
export const DEADLINE_SWEEP_JOB = "office-hours:deadline-sweep";
const SWEEP_EVERY = "15 seconds";

/** How many deadlines one instance's Agenda handles at once. */
const CONCURRENCY = 50;
/** A deadline locked by an instance that then died is taken over after this long. */
const LOCK_LIFETIME_MS = 15_000;

/** Defines the office-hours jobs and starts the Redis deadline poll (`deadlines.stop()` ends it). */
export function startOfficeHoursJobs(agenda: Agenda, deadlines: EntryDeadlines, officeHours: OfficeHoursService, logger: Logger, metrics: Metrics): void {
  const reached = async ({ kind, courseId, entryId, at }: DeadlineData) => {
    metrics.jobLag.observe({ job: ENTRY_DEADLINE_JOB }, Math.max(0, Date.now() - Date.parse(at)) / 1000);
    try {
      await officeHours.deadlineReached(kind, courseId, entryId, new Date(at));
    } catch (err) {
      logger.error({ err, kind, entryId }, "office-hours deadline failed");
      throw err;
    }
  };
  agenda.define(DEADLINE_SWEEP_JOB, () => officeHours.sweep(), { concurrency: 1, lockLifetime: LOCK_LIFETIME_MS });
  agenda.define<DeadlineData>(ENTRY_DEADLINE_JOB, (job: Job<DeadlineData>) => reached(job.attrs.data), {
    // A deadline that failed (Redis or MongoDB briefly down) is retried soon, not dropped.
    concurrency: CONCURRENCY,
    lockLimit: 0,
    lockLifetime: LOCK_LIFETIME_MS,
    removeOnComplete: true,
    backoff: exponential({ delay: 500, maxRetries: 6 }),
  });
  deadlines.start(reached);
}

export async function scheduleOfficeHoursJobs(agenda: Agenda): Promise<void> {
  await agenda.every(SWEEP_EVERY, DEADLINE_SWEEP_JOB);
}
