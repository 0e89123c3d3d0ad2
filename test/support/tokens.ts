// Tokens for roles nobody can sign up as (OBSERVER): signed with the deployment's shared secret,
// exactly as the server would issue them to such an account.
import { randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import type { Role } from "../../operations/generated";
import { TEST_JWT_SECRET } from "./server";

export function tokenFor(role: Role, userId = randomBytes(12).toString("hex")): string {
  return jwt.sign({ sub: userId, role }, TEST_JWT_SECRET, { algorithm: "HS256", expiresIn: 3600 });
}
