// Background jobs (Agenda). Each job calls a domain service, like a resolver does; none exist yet
// beyond the scheduler itself: domains register theirs here.
import type { Agenda } from "agenda";
import type { Logger } from "../platform/logger";
import type { Services } from "../services";

export function defineJobs(_agenda: Agenda, _services: Services, _logger: Logger): void {}
