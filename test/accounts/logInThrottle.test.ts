// Log-in throttling as the security rules have it: failures count per (account, address) and per
// address and refuse only the failing address; failures on an account from everywhere only slow
// each attempt on it (bounded), so nobody can lock the owner out. And logIn's arguments are bounded
// before anything is counted: no client input becomes a Redis key.
import { Redis } from "ioredis";
import { LogInDocument } from "../../operations/generated";
import { errorOf, gql, rawPost, source } from "../support/client";
import { signUp } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

afterAll(stopAll);

const from = (ip: string) => ({ "x-forwarded-for": ip });
const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
};

describe("the owner's side", () => {
  it("the right password from a fresh address logs in after 50 failures from others, within the bounded delay", async () => {
    const server = await startServer(deploymentEnv({ TRUST_PROXY: "true" })); // default limits: 10 per account and address, delay after 10, at most 2 s
    const owner = await signUp(server);
    const wrong = (ip: string) => gql(server, LogInDocument, { email: owner.email, password: "not the password" }, undefined, from(ip));
    // Ten addresses, five failures each, the addresses in parallel.
    const reasons: unknown[] = [];
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, k) => wrong(`10.50.0.${k + 1}`)));
      reasons.push(...answers.map((r) => errorOf(r).reason));
    }
    expect(reasons).toEqual(Array(50).fill("INVALID_CREDENTIALS"));

    const { value: login, ms } = await timed(() => gql(server, LogInDocument, { email: owner.email, password: owner.password }, undefined, from("10.50.1.1")));
    expect(login.errors).toBeUndefined();
    expect(login.data!.logIn.user.id).toBe(owner.id);
    // Slowed (the account is under attack), never by more than LOGIN_DELAY_MAX_MS (2 s) and the hashing.
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(3500);
  }, 60_000);
});

describe("the attacker's side", () => {
  it("the failing address is slowed after LOGIN_LIMIT_PER_ACCOUNT failures on the account and refused after LOGIN_LIMIT_PER_ACCOUNT_IP of its own", async () => {
    const server = await startServer(
      deploymentEnv({ TRUST_PROXY: "true", LOGIN_LIMIT_PER_ACCOUNT: "2", LOGIN_LIMIT_PER_ACCOUNT_IP: "6", LOGIN_DELAY_MAX_MS: "400" }),
    );
    const owner = await signUp(server);
    const attempts: { reason: unknown; ms: number }[] = [];
    for (let i = 0; i < 8; i++) {
      const { value, ms } = await timed(() => gql(server, LogInDocument, { email: owner.email, password: `guess ${i}` }, undefined, from("10.60.0.1")));
      attempts.push({ reason: errorOf(value).reason, ms });
    }
    expect(attempts.map((a) => a.reason)).toEqual([...Array(6).fill("INVALID_CREDENTIALS"), "RATE_LIMITED", "RATE_LIMITED"]);
    // 0 and 1 failures before: no wait; then 100, 200, 400 ms, and 400 again (the bound).
    const waits = [0, 0, 100, 200, 400, 400];
    attempts.slice(0, 6).forEach((a, i) => expect([i, a.ms >= waits[i]]).toEqual([i, true]));

    // Another address of the same attacker is refused by the per-address limit of failures (all accounts).
    const perAddress = await startServer(deploymentEnv({ TRUST_PROXY: "true", LOGIN_LIMIT_PER_IP: "3" }));
    const victims = await Promise.all([signUp(perAddress), signUp(perAddress), signUp(perAddress), signUp(perAddress)]);
    const sprayed = [];
    for (const v of victims) sprayed.push(errorOf(await gql(perAddress, LogInDocument, { email: v.email, password: "spray" }, undefined, from("10.61.0.1"))).reason);
    expect(sprayed).toEqual(["INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "RATE_LIMITED"]);
    // Successes do not count against an address (many people behind one address log in all day).
    for (let i = 0; i < 5; i++) {
      const ok = await gql(perAddress, LogInDocument, { email: victims[i % 4].email, password: victims[i % 4].password }, undefined, from("10.61.0.2"));
      expect(ok.errors).toBeUndefined();
    }
  }, 60_000);
});

describe("logIn's arguments are bounded before anything is counted", () => {
  let server: TestServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startServer(deploymentEnv());
    redis = new Redis(server.env.REDIS_URL);
  });
  afterAll(() => redis?.disconnect());

  const keys = async () => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${server.env.REDIS_PREFIX}*`, "COUNT", 1000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return found;
  };

  it("refuses a 300-character e-mail and a 129-character password as BAD_USER_INPUT, and stores nothing of them", async () => {
    const before = new Set(await keys());
    const long = `${"x".repeat(288)}@campus.test`; // 300 characters
    expect(long).toHaveLength(300);
    for (const variables of [
      { email: long, password: "whatever123" },
      { email: "someone@campus.test", password: "p".repeat(129) },
    ]) {
      const r = await gql(server, LogInDocument, variables);
      expect(errorOf(r)).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
    }
    // A huge e-mail (900 KB) as well, as raw JSON.
    const huge = await rawPost(server, JSON.stringify({ query: source(LogInDocument), variables: { email: `${"y".repeat(900_000)}@campus.test`, password: "whatever123" } }));
    expect(errorOf(huge).code).toBe("BAD_USER_INPUT");
    const added = (await keys()).filter((k) => !before.has(k));
    expect(added.filter((k) => k.includes(":rl:"))).toEqual([]);
    expect(added.filter((k) => k.includes("xxxxxxxx") || k.includes("yyyyyyyy"))).toEqual([]);
  });

  it("counts a long (valid) e-mail under a fixed-size key", async () => {
    const email = `${"z".repeat(240)}@campus.test`; // 252 characters: allowed
    const r = await gql(server, LogInDocument, { email, password: "whatever123" });
    expect(errorOf(r)).toEqual({ code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
    const limiterKeys = (await keys()).filter((k) => k.includes(":rl:"));
    expect(limiterKeys.length).toBeGreaterThan(0);
    expect(limiterKeys.filter((k) => k.includes("zzzz"))).toEqual([]);
    // <prefix>rl:<limiter>:<digest>: the digest is 43 characters whatever was counted.
    for (const k of limiterKeys) expect(k.slice(k.lastIndexOf(":") + 1)).toMatch(/^[\w-]{43}$/);
  });
});
