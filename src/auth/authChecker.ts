// Authorization decided in one place. Every root field must carry @Authorized (or @Public):
// assertEveryOperationAuthorized() refuses to build a schema with an unguarded operation.
import { Authorized, getMetadataStorage, type AuthChecker } from "type-graphql";
import type { AppContext } from "../context";
import type { Role } from "../models/user";
import { fail } from "../platform/errors";

const PUBLIC = "PUBLIC";

/** Open to anonymous callers. */
export const Public = () => Authorized(PUBLIC);
/** Any signed-in user, or only the given roles. */
export const Allow = (...roles: Role[]) => Authorized(...roles);

export const authChecker: AuthChecker<AppContext, string> = ({ context }, roles) => {
  if (roles.includes(PUBLIC)) return true;
  const user = context.user;
  if (!user) throw fail("UNAUTHENTICATED", "Sign in first", "UNAUTHENTICATED");
  if (roles.length === 0 || roles.includes(user.role)) return true;
  throw fail("FORBIDDEN", `Requires role ${roles.join(" or ")}`, "ROLE_REQUIRED");
};

export function assertEveryOperationAuthorized(): void {
  const storage = getMetadataStorage();
  const unguarded = [...storage.queries, ...storage.mutations, ...storage.subscriptions]
    .filter((h) => h.roles === undefined)
    .map((h) => `${h.target.name}.${h.methodName}`);
  if (unguarded.length) {
    throw new Error(`operations without @Authorized/@Public (locked by default): ${unguarded.join(", ")}`);
  }
}
