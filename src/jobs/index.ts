// Background jobs (Agenda). Each job calls a domain service, like a resolver does.
import type { Agenda } from "agenda";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";
import type { Services } from "../services";
import { defineOfficeHoursJobs } from "./officeHours";
import { defineQuizJobs, scheduleQuizJobs } from "./quizzes";

/** Defines the jobs (Agenda runs them once started). */
export function defineJobs(agenda: Agenda, services: Services, logger: Logger, metrics: Metrics): void {
  defineOfficeHoursJobs(agenda, services.officeHours, logger, metrics);
  defineQuizJobs(agenda, services, logger);
}

/** Recurring jobs, (re)declared by every instance once Agenda runs (idempotent). */
export async function scheduleRecurringJobs(agenda: Agenda, config: Config): Promise<void> {
  await scheduleQuizJobs(agenda, config.QUIZ_CLOSE_CHECK_SECONDS);
}

/** Finishes what the jobs' helpers hold (Agenda itself is stopped by its owner). */
export function stopJobs(services: Services): Promise<void> {
  return services.officeHoursDeadlines.stop();
}
