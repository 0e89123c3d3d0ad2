// ADMINs lock, unlock and change the role of accounts; tokens are checked against the account on
// every request and socket operation. Two instances with a one-minute account cache: whatever the
// second instance notices within the test, it learnt from the AccountChanged event, not from expiry.
import { MongoClient, ObjectId } from "mongodb";
import WebSocket from "ws";
import {
  DomainEventsDocument,
  LockAccountDocument,
  LogInDocument,
  MeDocument,
  MyEnrollmentChangedDocument,
  SetRoleDocument,
  UnlockAccountDocument,
  UsersDocument,
} from "../../operations/generated";
import { connected, errorOf, gql, subscribe, wsClient, wsExecute, type GqlResponse } from "../support/client";
import { startCluster, type Cluster } from "../support/cluster";
import { eventually, logInAdmin, signUp, type TestUser } from "../support/factories";
import { waitForSubscribers } from "../support/redis";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

let cluster: Cluster;
let a: TestServer;
let b: TestServer;
let admin: TestUser;

beforeAll(async () => {
  cluster = await startCluster(2, deploymentEnv({ ACCOUNT_CACHE_MS: "60000" }));
  [a, b] = cluster.instances;
  admin = await logInAdmin(a);
}, 60_000);
afterAll(stopAll);

const me = (s: TestServer, user: TestUser) => gql(s, MeDocument, {}, user.token);
const outcome = (r: GqlResponse<unknown>) => ({ status: r.status, ...errorOf(r) });
/** An answer over the socket (no HTTP status), as errorOf reads it. */
const socketError = (r: Omit<GqlResponse<unknown>, "status">) => errorOf({ status: 200, ...r });
/** Polls for at most 1 s (the time a change may take to reach every instance). */
const withinASecond = <T>(read: () => Promise<T>, check: (v: T) => boolean) => eventually(read, check, 1000);

/** The close code of a fresh socket that sends the token (graphql-ws connection_init). */
const closeCodeFor = (server: TestServer, token: string) =>
  new Promise<number>((resolve) => {
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })));
    socket.on("close", (code) => resolve(code));
  });

describe("lockAccount / unlockAccount", () => {
  it("a lock made on one instance refuses the account's tokens on both at once; unlocking restores them", async () => {
    const student = await signUp(a);
    // Both instances have read the account (and would trust it for a minute).
    expect((await me(a, student)).data!.me!.id).toBe(student.id);
    expect((await me(b, student)).data!.me!.id).toBe(student.id);

    const locked = await gql(a, LockAccountDocument, { userId: student.id }, admin.token);
    expect(locked.data!.lockAccount).toEqual({ id: student.id, role: "STUDENT", locked: true });
    expect(outcome(await me(a, student))).toEqual({ status: 401, code: "UNAUTHENTICATED", reason: "ACCOUNT_LOCKED" });
    await withinASecond(() => me(b, student), (r) => errorOf(r).reason === "ACCOUNT_LOCKED");
    expect(outcome(await me(b, student))).toEqual({ status: 401, code: "UNAUTHENTICATED", reason: "ACCOUNT_LOCKED" });

    // Locked accounts cannot log in; only the right password learns why.
    const right = await gql(b, LogInDocument, { email: student.email, password: student.password });
    expect(errorOf(right)).toEqual({ code: "UNAUTHENTICATED", reason: "ACCOUNT_LOCKED" });
    expect(right.data?.logIn ?? null).toBeNull();
    expect(errorOf(await gql(b, LogInDocument, { email: student.email, password: "wrong password" }))).toEqual({ code: "UNAUTHENTICATED", reason: "INVALID_CREDENTIALS" });
    // Locking again changes nothing.
    expect((await gql(b, LockAccountDocument, { userId: student.id }, admin.token)).data!.lockAccount.locked).toBe(true);

    const unlocked = await gql(b, UnlockAccountDocument, { userId: student.id }, admin.token);
    expect(unlocked.data!.unlockAccount).toEqual({ id: student.id, role: "STUDENT", locked: false });
    await withinASecond(() => me(a, student), (r) => r.data?.me?.id === student.id);
    expect((await me(b, student)).data!.me!.id).toBe(student.id);
    expect((await gql(a, LogInDocument, { email: student.email, password: student.password })).data!.logIn.user.id).toBe(student.id);
  });

  it("closes the account's open sockets within 1 s (4401) on the other instance, and refuses new ones", async () => {
    const student = await signUp(a);
    const client = wsClient(b, student.token, { lazy: false });
    const closed = new Promise<{ code: number; at: number }>((resolve) => client.on("closed", (e) => resolve({ code: (e as { code: number }).code, at: Date.now() })));
    await connected(client);
    const feed = subscribe(client, MyEnrollmentChangedDocument, {});
    await waitForSubscribers(b.env, `my-enrollments:${student.id}`);
    const lockedAt = Date.now();
    expect((await gql(a, LockAccountDocument, { userId: student.id }, admin.token)).errors).toBeUndefined();
    const { code, at } = await closed;
    expect(code).toBe(4401);
    expect(at - lockedAt).toBeLessThan(1000);
    await feed.ended;
    await client.dispose();
    expect(await closeCodeFor(b, student.token)).toBe(4401);
    expect(await closeCodeFor(a, student.token)).toBe(4401);
  });

  it("is announced as AccountChanged (the audit feed) with the account's state and the ADMIN as actor", async () => {
    const student = await signUp(a);
    const client = wsClient(b, admin.token);
    const feed = subscribe(client, DomainEventsDocument, { names: ["AccountChanged"] });
    await waitForSubscribers(b.env, "events");
    await gql(a, LockAccountDocument, { userId: student.id }, admin.token);
    await gql(a, SetRoleDocument, { userId: student.id, role: "OBSERVER" }, admin.token);
    await gql(a, UnlockAccountDocument, { userId: student.id }, admin.token);
    const seen = [(await feed.next()).domainEvents, (await feed.next()).domainEvents, (await feed.next()).domainEvents];
    expect(seen.map((e) => [e.name, e.actor, e.payload])).toEqual([
      ["AccountChanged", { userId: admin.id, role: "ADMIN" }, { userId: student.id, role: "STUDENT", locked: true }],
      ["AccountChanged", { userId: admin.id, role: "ADMIN" }, { userId: student.id, role: "OBSERVER", locked: true }],
      ["AccountChanged", { userId: admin.id, role: "ADMIN" }, { userId: student.id, role: "OBSERVER", locked: false }],
    ]);
    await client.dispose();
  });

  it("validates its input, refuses unknown accounts and an ADMIN's own", async () => {
    expect(errorOf(await gql(a, LockAccountDocument, { userId: "not-an-id" }, admin.token))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
    expect(errorOf(await gql(a, LockAccountDocument, { userId: new ObjectId().toHexString() }, admin.token))).toEqual({ code: "NOT_FOUND", reason: "USER_NOT_FOUND" });
    expect(errorOf(await gql(a, LockAccountDocument, { userId: admin.id }, admin.token))).toEqual({ code: "FORBIDDEN", reason: "OWN_ACCOUNT" });
    expect(errorOf(await gql(a, SetRoleDocument, { userId: admin.id, role: "STUDENT" }, admin.token))).toEqual({ code: "FORBIDDEN", reason: "OWN_ACCOUNT" });
    expect(errorOf(await gql(a, SetRoleDocument, { userId: "x".repeat(300), role: "STUDENT" }, admin.token))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
    const student = await signUp(a);
    expect(errorOf(await gql(a, LockAccountDocument, { userId: admin.id }, student.token))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
  });
});

describe("setRole", () => {
  it("applies at once, on both instances, to HTTP requests and to a socket opened before, with the tokens already issued", async () => {
    const user = await signUp(a);
    const client = wsClient(b, user.token, { lazy: false });
    await connected(client);
    expect(socketError(await wsExecute(client, UsersDocument, { first: 1 }))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    expect(errorOf(await gql(b, UsersDocument, { first: 1 }, user.token))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });

    const promoted = await gql(a, SetRoleDocument, { userId: user.id, role: "ADMIN" }, admin.token);
    expect(promoted.data!.setRole).toEqual({ id: user.id, role: "ADMIN", locked: false });
    expect((await gql(a, UsersDocument, { first: 1 }, user.token)).errors).toBeUndefined();
    await withinASecond(() => wsExecute(client, UsersDocument, { first: 1 }), (r) => r.errors === undefined);
    expect((await gql(b, UsersDocument, { first: 1 }, user.token)).errors).toBeUndefined();
    expect((await me(b, user)).data!.me!.role).toBe("ADMIN");

    await gql(b, SetRoleDocument, { userId: user.id, role: "STUDENT" }, admin.token);
    expect(socketError(await wsExecute(client, UsersDocument, { first: 1 }))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    await withinASecond(() => gql(a, UsersDocument, { first: 1 }, user.token), (r) => errorOf(r).reason === "ROLE_REQUIRED");
    // A role change leaves the socket open.
    expect((await wsExecute(client, MeDocument, {})).data!.me!.role).toBe("STUDENT");
    await client.dispose();
  });
});

describe("an account that no longer exists", () => {
  it("its token is refused once the account cache's lifetime (ACCOUNT_CACHE_MS) has passed, over HTTP and WebSocket", async () => {
    const server = await startServer(deploymentEnv({ ACCOUNT_CACHE_MS: "300" }));
    const user = await signUp(server);
    expect((await me(server, user)).data!.me!.id).toBe(user.id);
    const mongo = await MongoClient.connect(server.env.MONGO_URL);
    try {
      await mongo.db().collection("users").deleteOne({ _id: new ObjectId(user.id) });
    } finally {
      await mongo.close();
    }
    await new Promise((r) => setTimeout(r, 400));
    expect(outcome(await me(server, user))).toEqual({ status: 401, code: "UNAUTHENTICATED", reason: "ACCOUNT_NOT_FOUND" });
    expect(await closeCodeFor(server, user.token)).toBe(4401);
  });
});
