// The context every resolver receives, one per GraphQL operation: built by the server for each HTTP
// request and each graphql-ws operation (src/server/http.ts, graphqlWs.ts), with the caller as their
// account is now. A result shared by many subscribers runs in the first one's, marked: a field that
// depends on the viewer checks isSharedExecution (src/events/sharing.ts) before reading `user`.
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
