// Background jobs (Agenda). Each job calls a domain service, like a resolver does.
import type { Agenda } from "agenda";
import type { Logger } from "../platform/logger";
import type { Metrics } from "../platform/metrics";
import type { Services } from "../services";
import { defineOfficeHoursJobs, scheduleOfficeHoursJobs } from "./officeHours";

export function defineJobs(agenda: Agenda, services: Services, logger: Logger, metrics: Metrics): void {
  defineOfficeHoursJobs(agenda, services.officeHours, logger, metrics);
}

/** Recurring jobs, (re)declared by every instance once Agenda runs (idempotent). */
export async function scheduleRecurringJobs(agenda: Agenda): Promise<void> {
  await scheduleOfficeHoursJobs(agenda);
}
