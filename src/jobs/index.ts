// Background jobs (Agenda). Each job calls a domain service, like a resolver does.
import type { Agenda } from "agenda";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";
import type { Services } from "../services";
import { scheduleOfficeHoursJobs, startOfficeHoursJobs } from "./officeHours";
import { defineQuizJobs, scheduleQuizJobs } from "./quizzes";

/** Defines the jobs and starts the office-hours deadline poll (stopped by `stopJobs`). */
export function startJobs(agenda: Agenda, services: Services, logger: Logger, metrics: Metrics): void {
  startOfficeHoursJobs(agenda, services.officeHoursDeadlines, services.officeHours, logger, metrics);
  defineQuizJobs(agenda, services, logger);
}

/** Recurring jobs, (re)declared by every instance once Agenda runs (idempotent). */
export async function scheduleRecurringJobs(agenda: Agenda, config: Config): Promise<void> {
  await scheduleOfficeHoursJobs(agenda);
  await scheduleQuizJobs(agenda, config.QUIZ_CLOSE_CHECK_SECONDS);
}

/** Stops what `startJobs` started beside Agenda (Agenda itself is stopped by its owner). */
export function stopJobs(services: Services): Promise<void> {
  return services.officeHoursDeadlines.stop();
}
