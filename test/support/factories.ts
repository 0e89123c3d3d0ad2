import { randomBytes } from "node:crypto";
import { LogInDocument, SignUpDocument, type Role } from "../../operations/generated";
import { gql } from "./client";
import { ADMIN, type TestServer } from "./server";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  role: Role;
}

export const uniqueEmail = (label = "user") => `${label}.${randomBytes(4).toString("hex")}@campus.test`;

export async function signUp(
  server: TestServer,
  role: "STUDENT" | "INSTRUCTOR" = "STUDENT",
  overrides: { email?: string; name?: string; sex?: "FEMALE" | "MALE" } = {},
): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail(role.toLowerCase());
  const password = "correct horse battery";
  const res = await gql(server, SignUpDocument, {
    input: { email, password, name: overrides.name ?? "Test User", role, sex: overrides.sex },
  });
  if (!res.data) throw new Error(`signUp failed: ${JSON.stringify(res.errors)}`);
  return { id: res.data.signUp.user.id, email, password, token: res.data.signUp.token, role };
}

export async function logInAdmin(server: TestServer): Promise<TestUser> {
  const res = await gql(server, LogInDocument, ADMIN);
  if (!res.data) throw new Error(`admin logIn failed: ${JSON.stringify(res.errors)}`);
  return { id: res.data.logIn.user.id, email: ADMIN.email, password: ADMIN.password, token: res.data.logIn.token, role: "ADMIN" };
}
