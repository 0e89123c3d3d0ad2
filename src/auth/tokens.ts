import jwt from "jsonwebtoken";
import { fail } from "../platform/errors";
import { ROLES, type Role } from "../models/user";

/** Who is calling: decoded from the JWT, trusted because every instance shares the signing secret. */
export interface AuthUser {
  id: string;
  role: Role;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

const ALGORITHM = "HS256";

export class TokenService {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  issue(user: AuthUser): IssuedToken {
    const token = jwt.sign({ role: user.role }, this.secret, {
      algorithm: ALGORITHM,
      subject: user.id,
      expiresIn: this.ttlSeconds,
    });
    return { token, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  /** Throws UNAUTHENTICATED for anything but a valid, unexpired token of ours. */
  verify(token: string): AuthUser {
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: [ALGORITHM] }) as jwt.JwtPayload;
    } catch (e) {
      const expired = e instanceof jwt.TokenExpiredError;
      throw fail("UNAUTHENTICATED", expired ? "Token expired" : "Invalid token", expired ? "TOKEN_EXPIRED" : "INVALID_TOKEN");
    }
    if (typeof claims.sub !== "string" || !ROLES.includes(claims.role)) {
      throw fail("UNAUTHENTICATED", "Invalid token", "INVALID_TOKEN");
    }
    return { id: claims.sub, role: claims.role };
  }

  /** Accepts `Bearer <jwt>` (HTTP header) or a bare token (graphql-ws connectionParams). */
  fromHeader(value: unknown): AuthUser | null {
    if (value === undefined || value === null || value === "") return null;
    if (typeof value !== "string") throw fail("UNAUTHENTICATED", "Invalid token", "INVALID_TOKEN");
    const token = value.startsWith("Bearer ") ? value.slice(7).trim() : value.trim();
    return this.verify(token);
  }
}
