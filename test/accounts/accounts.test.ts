// signUp -> logIn -> me, the ADMIN bootstrap, hashed passwords, roles and rate limits, over HTTP.
import jwt from "jsonwebtoken";
import { MongoClient } from "mongodb";
import { LogInDocument, MeDocument, SignUpDocument, UsersDocument } from "../../operations/generated";
import { errorOf, gql } from "../support/client";
import { logInAdmin, signUp, uniqueEmail } from "../support/factories";
import { ADMIN, TEST_JWT_SECRET, deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(stopAll);

describe("sign-up, log-in, me", () => {
  it("a new student signs up, logs in and sees themself", async () => {
    const email = uniqueEmail("ann");
    const up = await gql(server, SignUpDocument, {
      input: { email: email.toUpperCase(), password: "long enough pw", name: "Ann", role: "STUDENT", sex: "FEMALE" },
    });
    expect(up.errors).toBeUndefined();
    expect(up.data!.signUp.user).toMatchObject({ email, name: "Ann", role: "STUDENT", sex: "FEMALE" });
    expect(new Date(up.data!.signUp.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const login = await gql(server, LogInDocument, { email, password: "long enough pw" });
    expect(login.data!.logIn.user.id).toBe(up.data!.signUp.user.id);

    const me = await gql(server, MeDocument, {}, login.data!.logIn.token);
    expect(me.data!.me).toEqual({ id: up.data!.signUp.user.id, email, name: "Ann", role: "STUDENT" });
  });

  it("me is null for anonymous callers", async () => {
    expect((await gql(server, MeDocument)).data).toEqual({ me: null });
  });

  it("stores only an argon2id hash of the password", async () => {
    const user = await signUp(server);
    const client = await MongoClient.connect(server.env.MONGO_URL);
    try {
      const doc = await client.db().collection("users").findOne({ email: user.email });
      expect(doc!.passwordHash).toMatch(/^\$argon2id\$/);
      expect(JSON.stringify(doc)).not.toContain(user.password);
    } finally {
      await client.close();
    }
  });

  it("refuses a taken e-mail, also when ten sign-ups race for it", async () => {
    const email = uniqueEmail("race");
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () =>
        gql(server, SignUpDocument, { input: { email, password: "password123", name: "R", role: "STUDENT" } }),
      ),
    );
    const ok = attempts.filter((a) => a.data?.signUp);
    expect(ok).toHaveLength(1);
    for (const a of attempts.filter((x) => !x.data?.signUp)) expect(errorOf(a)).toEqual({ code: "CONFLICT", reason: "EMAIL_TAKEN" });
  });

  it("validates the input", async () => {
    const bad = await gql(server, SignUpDocument, { input: { email: "not-an-email", password: "short", name: "", role: "STUDENT" } });
    expect(errorOf(bad)).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
    const fields = (bad.errors![0].extensions!.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(["email", "name", "password"]);
  });

  it("does not let anyone sign up as ADMIN or OBSERVER", async () => {
    for (const role of ["ADMIN", "OBSERVER"] as const) {
      const r = await gql(server, SignUpDocument, { input: { email: uniqueEmail(), password: "password123", name: "X", role } });
      expect(errorOf(r)).toEqual({ code: "FORBIDDEN", reason: "ROLE_NOT_ALLOWED" });
    }
  });

  it("answers a wrong password and an unknown account alike", async () => {
    const user = await signUp(server);
    const wrong = await gql(server, LogInDocument, { email: user.email, password: "nope nope nope" });
    const unknown = await gql(server, LogInDocument, { email: uniqueEmail("ghost"), password: "nope nope nope" });
    expect(errorOf(wrong)).toEqual({ code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
    expect(unknown.errors![0]).toEqual(wrong.errors![0]);
  });
});

describe("tokens", () => {
  it("rejects a forged, expired or malformed token with 401 UNAUTHENTICATED", async () => {
    const user = await signUp(server);
    const forged = jwt.sign({ role: "ADMIN" }, "another-secret-another-secret-another", { subject: user.id });
    const expired = jwt.sign({ role: "STUDENT" }, TEST_JWT_SECRET, { subject: user.id, expiresIn: -10 });
    for (const [token, reason] of [
      [forged, "INVALID_TOKEN"],
      [expired, "TOKEN_EXPIRED"],
      ["garbage", "INVALID_TOKEN"],
    ]) {
      const r = await gql(server, MeDocument, {}, token);
      expect({ status: r.status, ...errorOf(r) }).toEqual({ status: 401, code: "UNAUTHENTICATED", reason });
    }
  });

  it("a token from one instance works on another (shared secret)", async () => {
    const other = await startServer(server.env);
    const user = await signUp(server);
    const me = await gql(other, MeDocument, {}, user.token);
    expect(me.data!.me!.id).toBe(user.id);
    await other.stop();
  });
});

describe("ADMIN", () => {
  it("is created at start from ADMIN_EMAIL / ADMIN_PASSWORD, once, however many instances start", async () => {
    const second = await startServer(server.env);
    const admin = await logInAdmin(second);
    expect(admin.role).toBe("ADMIN");
    const admins = await gql(server, UsersDocument, { first: 10, role: "ADMIN" }, admin.token);
    expect(admins.data!.users.edges.map((e) => e.node.email)).toEqual([ADMIN.email]);
    await second.stop();
  });

  it("lists accounts page by page; students and anonymous callers cannot", async () => {
    const admin = await logInAdmin(server);
    for (let i = 0; i < 3; i++) await signUp(server, "INSTRUCTOR");
    const seen = new Set<string>();
    let after: string | null | undefined;
    for (;;) {
      const page = await gql(server, UsersDocument, { first: 2, after, role: "INSTRUCTOR" }, admin.token);
      expect(page.errors).toBeUndefined();
      expect(page.data!.users.edges.length).toBeLessThanOrEqual(2);
      for (const e of page.data!.users.edges) {
        expect(seen.has(e.node.id)).toBe(false);
        seen.add(e.node.id);
        expect(e.node.role).toBe("INSTRUCTOR");
      }
      if (!page.data!.users.pageInfo.hasNextPage) break;
      after = page.data!.users.pageInfo.endCursor;
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);

    const student = await signUp(server);
    expect(errorOf(await gql(server, UsersDocument, { first: 2 }, student.token))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    expect(errorOf(await gql(server, UsersDocument, { first: 2 }))).toEqual({ code: "UNAUTHENTICATED", reason: "UNAUTHENTICATED" });
    expect(errorOf(await gql(server, UsersDocument, { first: 2, after: "bogus" }, admin.token))).toEqual({
      code: "BAD_USER_INPUT",
      reason: "INVALID_CURSOR",
    });
  });
});

describe("log-in rate limits hold across instances (kept in Redis)", () => {
  it("limits failures per account and address, a success resets them, and another address still logs in", async () => {
    const env = deploymentEnv({ LOGIN_LIMIT_PER_ACCOUNT_IP: "3", TRUST_PROXY: "true" });
    const [a, b] = await Promise.all([startServer(env), startServer(env)]);
    const user = await signUp(a);
    const attempt = (s: TestServer, password = "wrong password", ip = "10.9.0.1") =>
      gql(s, LogInDocument, { email: user.email, password }, undefined, { "x-forwarded-for": ip });
    expect(errorOf(await attempt(a)).reason).toBe("INVALID_CREDENTIALS");
    expect((await attempt(b, user.password)).data!.logIn.user.id).toBe(user.id); // resets
    expect(errorOf(await attempt(a)).reason).toBe("INVALID_CREDENTIALS");
    expect(errorOf(await attempt(b)).reason).toBe("INVALID_CREDENTIALS");
    expect(errorOf(await attempt(a)).reason).toBe("INVALID_CREDENTIALS");
    // That address is refused for that account, the right password included, on every instance...
    const limited = await attempt(b, user.password);
    expect(errorOf(limited)).toEqual({ code: "RATE_LIMITED", reason: "RATE_LIMITED" });
    expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // ...and no other address is.
    expect((await attempt(a, user.password, "10.9.0.2")).data!.logIn.user.id).toBe(user.id);
  });

  it("limits sign-ups per address", async () => {
    const limited = await startServer(deploymentEnv({ SIGNUP_LIMIT_PER_IP: "3" }));
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () =>
        gql(limited, SignUpDocument, { input: { email: uniqueEmail("burst"), password: "password123", name: "B", role: "STUDENT" } }),
      ),
    );
    expect(attempts.filter((r) => r.data?.signUp)).toHaveLength(3);
    expect(attempts.filter((r) => !r.data?.signUp).map(errorOf)).toEqual([
      { code: "RATE_LIMITED", reason: "RATE_LIMITED" },
      { code: "RATE_LIMITED", reason: "RATE_LIMITED" },
    ]);
  });

  it("limits attempts per address, also when they race", async () => {
    const env = deploymentEnv({ LOGIN_LIMIT_PER_IP: "5" });
    const [a, b] = await Promise.all([startServer(env), startServer(env)]);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => gql(i % 2 ? a : b, LogInDocument, { email: uniqueEmail(), password: "whatever123" })),
    );
    const reasons = results.map((r) => errorOf(r).reason);
    expect(reasons.filter((r) => r === "INVALID_CREDENTIALS")).toHaveLength(5);
    expect(reasons.filter((r) => r === "RATE_LIMITED")).toHaveLength(7);
  });
});
