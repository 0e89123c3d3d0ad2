// The ADMIN audit feed over graphql-ws, across instances, and WebSocket authentication.
import jwt from "jsonwebtoken";
import WebSocket from "ws";
import { DomainEventsDocument, SignUpDocument } from "../../operations/generated";
import { connected, errorOf, gql, subscribe, wsClient } from "../support/client";
import { logInAdmin, signUp, uniqueEmail } from "../support/factories";
import { waitForSubscribers } from "../support/redis";
import { TEST_JWT_SECRET, startServer, stopAll, type TestServer } from "../support/server";

let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  a = await startServer();
  b = await startServer(a.env); // a second instance of the same deployment
});
afterAll(stopAll);

describe("domainEvents", () => {
  it("an ADMIN subscribed on one instance sees UserSignedUp for a sign-up sent to another", async () => {
    const admin = await logInAdmin(a);
    const client = wsClient(a, admin.token);
    const feed = subscribe(client, DomainEventsDocument, {});
    await waitForSubscribers(a.env, "events");

    const email = uniqueEmail("feed");
    const up = await gql(b, SignUpDocument, { input: { email, password: "password123", name: "Feed", role: "INSTRUCTOR" } });
    const event = (await feed.next()).domainEvents;
    expect(event).toMatchObject({
      name: "UserSignedUp",
      actor: { userId: up.data!.signUp.user.id, role: "INSTRUCTOR" },
      payload: { userId: up.data!.signUp.user.id, email, role: "INSTRUCTOR", name: "Feed" },
    });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(Date.parse(event.time) - Date.now())).toBeLessThan(10_000);
    expect(JSON.stringify(event)).not.toContain("password");
    feed.unsubscribe();
    await client.dispose();
  });

  it("filters by event name and rejects unknown names", async () => {
    const admin = await logInAdmin(a);
    const client = wsClient(a, admin.token);
    const bad = subscribe(client, DomainEventsDocument, { names: ["NoSuchEvent"] });
    await bad.ended;
    expect(errorOf({ status: 200, data: null, errors: bad.errors as never })).toEqual({
      code: "BAD_USER_INPUT",
      reason: "UNKNOWN_EVENT",
    });
    const good = subscribe(client, DomainEventsDocument, { names: ["UserSignedUp"] });
    await waitForSubscribers(a.env, "events");
    await signUp(b);
    expect((await good.next()).domainEvents.name).toBe("UserSignedUp");
    await client.dispose();
  });

  it("is refused to students (FORBIDDEN) and anonymous sockets (UNAUTHENTICATED)", async () => {
    const student = await signUp(a);
    for (const [token, code] of [
      [student.token, "FORBIDDEN"],
      [undefined, "UNAUTHENTICATED"],
    ] as const) {
      const client = wsClient(a, token);
      const sub = subscribe(client, DomainEventsDocument, {});
      await sub.ended;
      expect((sub.errors[0] as { extensions: { code: string } }).extensions.code).toBe(code);
      expect(sub.received).toEqual([]);
      await client.dispose();
    }
  });
});

describe("WebSocket authentication", () => {
  const closeCodeFor = (token: string) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(a.wsUrl, "graphql-transport-ws");
      socket.on("open", () =>
        socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })),
      );
      socket.on("close", (code) => resolve(code));
    });

  it("closes a socket with a forged or expired token with 4401", async () => {
    const user = await signUp(a);
    const forged = jwt.sign({ role: "ADMIN" }, "not-the-secret-not-the-secret-not-the", { subject: user.id });
    const expired = jwt.sign({ role: "ADMIN" }, TEST_JWT_SECRET, { subject: user.id, expiresIn: -1 });
    expect(await closeCodeFor(forged)).toBe(4401);
    expect(await closeCodeFor(expired)).toBe(4401);
    expect(await closeCodeFor("garbage")).toBe(4401);
  });

  it("closes a socket with 4401 when its token expires", async () => {
    const user = await signUp(a);
    const shortLived = jwt.sign({ role: "STUDENT" }, TEST_JWT_SECRET, { subject: user.id, expiresIn: 2 });
    const client = wsClient(a, shortLived, { lazy: false });
    const closed = new Promise<number>((resolve) => client.on("closed", (e) => resolve((e as { code: number }).code)));
    await connected(client);
    const started = Date.now();
    expect(await closed).toBe(4401);
    expect(Date.now() - started).toBeLessThan(4000);
    await client.dispose();
  });

  it("acknowledges a valid token", async () => {
    const user = await signUp(a);
    const client = wsClient(a, user.token, { lazy: false });
    await connected(client);
    await client.dispose();
  });

  it("rejects over-deep or invalid subscription documents with BAD_USER_INPUT", async () => {
    const admin = await logInAdmin(a);
    const client = wsClient(a, admin.token);
    const errors = await new Promise<unknown[]>((resolve) => {
      client.subscribe(
        { query: "subscription { domainEvents { id nope } }" },
        { next: () => undefined, error: (e) => resolve(e as unknown[]), complete: () => resolve([]) },
      );
    });
    expect((errors[0] as { extensions: { code: string; reason: string } }).extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      reason: "GRAPHQL_VALIDATION_FAILED",
    });
    await client.dispose();
  });
});
