// Background jobs (Agenda). Each job calls a domain service, like a resolver does.
import type { Agenda } from "agenda";
import type { Logger } from "../platform/logger";
import type { Services } from "../services";
import { defineOfficeHoursJobs } from "./officeHours";

export function defineJobs(agenda: Agenda, services: Services, logger: Logger): void {
  defineOfficeHoursJobs(agenda, services.officeHours, logger);
}
