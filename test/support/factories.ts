import { randomBytes } from "node:crypto";
import { CreateCourseDocument, LogInDocument, SetRoleDocument, SignUpDocument, type CreateCourseInput, type Role } from "../../operations/generated";
import { gql } from "./client";
import type { Endpoint } from "./cluster";
import { ADMIN } from "./server";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  role: Role;
  /** As signed up (leaderboards show players by name only). */
  name?: string;
}

export const uniqueEmail = (label = "user") => `${label}.${randomBytes(4).toString("hex")}@campus.test`;

export async function signUp(
  server: Endpoint,
  role: "STUDENT" | "INSTRUCTOR" = "STUDENT",
  overrides: { email?: string; name?: string; sex?: "FEMALE" | "MALE" } = {},
): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail(role.toLowerCase());
  const password = "correct horse battery";
  const name = overrides.name ?? "Test User";
  const res = await gql(server, SignUpDocument, {
    input: { email, password, name, role, sex: overrides.sex },
  });
  if (!res.data) throw new Error(`signUp failed: ${JSON.stringify(res.errors)}`);
  return { id: res.data.signUp.user.id, email, password, token: res.data.signUp.token, role, name };
}

/**
 * An account of a role nobody signs up as (OBSERVER, ADMIN): signed up as a STUDENT, then given the
 * role by an ADMIN. Its token is the sign-up's: requests run with the account's stored role.
 */
export async function accountWithRole(server: Endpoint, admin: TestUser, role: Role): Promise<TestUser> {
  const user = await signUp(server, "STUDENT", { name: `${role} account` });
  const res = await gql(server, SetRoleDocument, { userId: user.id, role }, admin.token);
  if (!res.data) throw new Error(`setRole failed: ${JSON.stringify(res.errors)}`);
  return { ...user, role };
}

export async function logInAdmin(server: Endpoint): Promise<TestUser> {
  const res = await gql(server, LogInDocument, ADMIN);
  if (!res.data) throw new Error(`admin logIn failed: ${JSON.stringify(res.errors)}`);
  return { id: res.data.logIn.user.id, email: ADMIN.email, password: ADMIN.password, token: res.data.logIn.token, role: "ADMIN" };
}

let courseCounter = 0;
export async function createCourse(
  server: Endpoint,
  token: string,
  input: Partial<CreateCourseInput> = {},
): Promise<{ id: string; code: string }> {
  const code = input.code ?? `C${process.pid % 1000}${randomBytes(2).toString("hex")}${++courseCounter}`.toUpperCase().slice(0, 20);
  const res = await gql(
    server,
    CreateCourseDocument,
    { input: { title: "A course", category: "CS", department: "Computing", units: 3, capacity: 10, ...input, code } },
    token,
  );
  if (!res.data) throw new Error(`createCourse failed: ${JSON.stringify(res.errors)}`);
  return { id: res.data.createCourse.id, code: res.data.createCourse.code };
}

/** Polls until `check` passes (for the durable copy in MongoDB, written in batches). */
export async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
