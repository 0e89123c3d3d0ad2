// Tokens signed with the deployment's shared secret, exactly as the server would issue them. The
// server checks them against the account they name: an id with no account is refused
// (ACCOUNT_NOT_FOUND), so a role nobody signs up as needs a real account (factories' accountWithRole).
import { randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import type { Role } from "../../operations/generated";
import { TEST_JWT_SECRET } from "./server";

export function tokenFor(role: Role, userId = randomBytes(12).toString("hex")): string {
  return jwt.sign({ sub: userId, role }, TEST_JWT_SECRET, { algorithm: "HS256", expiresIn: 3600 });
}
