import type { AuthUser } from "./auth/tokens";
import type { Logger } from "./platform/logger";
import type { Services } from "./services";

/** What every resolver receives: the caller (from the JWT), request metadata and the domain services. */
export interface AppContext {
  user: AuthUser | null;
  ip: string;
  requestId: string;
  logger: Logger;
  services: Services;
}
