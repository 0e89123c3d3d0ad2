// The deadlines of office-hours entries (invite expiry, maximum wait) as Agenda jobs: stored in
// MongoDB, so they survive restarts, and run by whichever instance locks them first. The handler is
// a no-op when the entry has moved on, and safe when Agenda runs a job twice (it does on FerretDB).
import { exponential, type Agenda, type Job } from "agenda";
import type { EntryTimers, OfficeHoursService, TimeoutKind } from "../domain/officeHours/service";
import type { Logger } from "../platform/logger";

export const ENTRY_DEADLINE_JOB = "office-hours:entry-deadline";

interface DeadlineData {
  kind: TimeoutKind;
  entryId: string;
  /** ISO-8601: the deadline this job was scheduled for (the handler checks the entry still has it). */
  at: string;
}

/** How many deadlines one instance handles at once (1,000 invites may expire in the same second). */
const CONCURRENCY = 50;
/**
 * A deadline locked by an instance that then died is taken over after this long. Short, because a
 * late expiry is visible to people; a handler takes milliseconds, and running twice is harmless.
 */
const LOCK_LIFETIME_MS = 3000;

export class AgendaEntryTimers implements EntryTimers {
  constructor(private readonly agenda: Agenda) {}

  async schedule(kind: TimeoutKind, entryId: string, at: Date): Promise<void> {
    await this.agenda.schedule<DeadlineData>(at, ENTRY_DEADLINE_JOB, { kind, entryId, at: at.toISOString() });
  }

  async cancel(kind: TimeoutKind, entryId: string): Promise<void> {
    await this.agenda.cancel({ name: ENTRY_DEADLINE_JOB, data: { kind, entryId } });
  }
}

export function defineOfficeHoursJobs(agenda: Agenda, officeHours: OfficeHoursService, logger: Logger): void {
  agenda.define<DeadlineData>(
    ENTRY_DEADLINE_JOB,
    async (job: Job<DeadlineData>) => {
      const { kind, entryId, at } = job.attrs.data;
      try {
        await officeHours.timeout(kind, entryId, new Date(at));
      } catch (err) {
        logger.error({ err, kind, entryId }, "office-hours deadline failed");
        throw err;
      }
    },
    // A deadline that failed (Redis or MongoDB briefly down) is retried soon, not dropped.
    { concurrency: CONCURRENCY, lockLimit: 0, lockLifetime: LOCK_LIFETIME_MS, removeOnComplete: true, backoff: exponential({ delay: 500, maxRetries: 6 }) },
  );
}
