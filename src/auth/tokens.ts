// Access tokens: HS256 JWTs signed with the secret every instance shares, naming the account and its
// role. A token names its account only: each request runs as the account is now (accountStates.ts).
import { TokenError, createSigner, createVerifier } from "fast-jwt";
import { boundedCache } from "../platform/cache";
import { fail } from "../platform/errors";
import { isObjectId } from "../platform/ids";
import { ROLES, type Role } from "../models/user";

/**
 * Who is calling: decoded from the JWT, trusted because every instance shares the signing secret,
 * then checked against the account (auth/accountStates.ts: locked or gone is refused, the stored role applies).
 */
export interface AuthUser {
  id: string;
  role: Role;
  /** When the token stops being valid (ms since the epoch). */
  expiresAt?: number;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * Verified tokens are cached by their text (expiry is still checked on every use): a token is
 * verified once, not per request. (fast-jwt's own cache hashes every token with SHA-256 to look it
 * up, which cost more than the rest of authentication at the bell.)
 */
const VERIFY_CACHE_SIZE = 50_000;

export class TokenService {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly check: (token: string) => Record<string, unknown>;
  private readonly verified = boundedCache<string, AuthUser>(VERIFY_CACHE_SIZE);

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.sign = createSigner({ key: secret, algorithm: "HS256", expiresIn: ttlSeconds * 1000 });
    this.check = createVerifier({ key: secret, algorithms: ["HS256"] });
  }

  issue(user: AuthUser): IssuedToken {
    const token = this.sign({ sub: user.id, role: user.role });
    return { token, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  /** Throws UNAUTHENTICATED for anything but a valid, unexpired token of ours. */
  verify(token: string): AuthUser {
    const known = this.verified.get(token);
    if (known && (known.expiresAt === undefined || known.expiresAt > Date.now())) return known;
    const user = this.verifyAnew(token);
    this.verified.set(token, user);
    return user;
  }

  private verifyAnew(token: string): AuthUser {
    let claims: Record<string, unknown>;
    try {
      claims = this.check(token);
    } catch (e) {
      const expired = e instanceof TokenError && e.code === TokenError.codes.expired;
      throw fail("UNAUTHENTICATED", expired ? "Token expired" : "Invalid token", expired ? "TOKEN_EXPIRED" : "INVALID_TOKEN");
    }
    const role = claims.role as Role;
    // Accounts are ObjectIds: a subject that is not one never reaches a database query.
    if (!isObjectId(claims.sub) || !ROLES.includes(role)) {
      throw fail("UNAUTHENTICATED", "Invalid token", "INVALID_TOKEN");
    }
    return { id: claims.sub, role, expiresAt: typeof claims.exp === "number" ? claims.exp * 1000 : undefined };
  }

  /** Accepts `Bearer <jwt>` (HTTP header) or a bare token (graphql-ws connectionParams). */
  fromHeader(value: unknown): AuthUser | null {
    if (value === undefined || value === null || value === "") return null;
    if (typeof value !== "string") throw fail("UNAUTHENTICATED", "Invalid token", "INVALID_TOKEN");
    const token = value.startsWith("Bearer ") ? value.slice(7).trim() : value.trim();
    return this.verify(token);
  }
}
