// The HTTP front door: health, readiness, metrics, and bad input answered with 4xx + code, never a crash.
import { CourseSeatsChangedDocument, DomainEventsDocument, MeDocument, UsersDocument } from "../../operations/generated";
import { connected, errorOf, gql, rawPost, subscribe, wsClient, wsExecute } from "../support/client";
import { createCourse, eventually, logInAdmin } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
let adminToken: string;
const base = () => server.url.replace("/graphql", "");

beforeAll(async () => {
  server = await startServer();
  adminToken = (await logInAdmin(server)).token;
});
afterAll(stopAll);

describe("operations endpoints", () => {
  it("/healthz answers while alive, /readyz checks MongoDB and Redis", async () => {
    const health = await fetch(`${base()}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { mongo: true, redis: true } });
  });

  it("/metrics exposes per-operation latency, errors by code and socket gauges", async () => {
    await gql(server, MeDocument, {}, adminToken);
    await gql(server, UsersDocument, { first: 1 }); // anonymous: UNAUTHENTICATED
    const text = await (await fetch(server.metricsUrl)).text();
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation="me",type="query"\} [1-9]/);
    expect(text).toMatch(/graphql_errors_total\{code="UNAUTHENTICATED"\} [1-9]/);
    expect(text).toContain("graphql_ws_open_sockets");
    expect(text).toContain("graphql_active_subscriptions");
    expect(text).toContain("process_resident_memory_bytes");
  });

  it("/metrics is served only on its own listener, never on the API port", async () => {
    expect((await fetch(`${base()}/metrics`)).status).toBe(404);
    expect(new URL(server.metricsUrl).port).not.toBe(String(server.port));
    expect((await fetch(server.metricsUrl)).status).toBe(200);
  });

  it("labels latency by a root field the schema defines: documents cannot mint new series", async () => {
    const before = await (await fetch(server.metricsUrl)).text();
    for (const query of ["{ a: me { id } b: me { id } }", "{ me { id } __typename }", "{ __typename me { id } }", "query Anything { me { id } }"]) {
      expect((await rawPost(server, JSON.stringify({ query }))).status).toBe(200);
    }
    const after = await (await fetch(server.metricsUrl)).text();
    const labels = (text: string) => new Set([...text.matchAll(/graphql_operation_duration_seconds_count\{operation="([^"]*)"/g)].map((m) => m[1]));
    const minted = [...labels(after)].filter((l) => !labels(before).has(l));
    expect(minted.every((l) => l === "me" || l === "(several)")).toBe(true);
    expect([...labels(after)].filter((l) => l.includes(","))).toEqual([]);
  });

  it("counts each subscription once, also when its socket closes with it open", async () => {
    const course = await createCourse(server, adminToken);
    const gauges = async () => {
      const text = await (await fetch(server.metricsUrl)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
      return { subscriptions: value("graphql_active_subscriptions"), sockets: value("graphql_ws_open_sockets") };
    };
    const before = await gauges();
    const clients = [wsClient(server, adminToken, { lazy: false }), wsClient(server, adminToken, { lazy: false })];
    await Promise.all(clients.map(connected));
    // courseSeatsChanged sends the counts first: such a subscription is still running when the socket closes.
    const subs = clients.flatMap((c) => [
      subscribe(c, DomainEventsDocument, { names: ["UserSignedUp"] }),
      subscribe(c, CourseSeatsChangedDocument, { courseId: course.id }),
    ]);
    await Promise.all(subs.filter((_, i) => i % 2).map((s) => s.next()));
    await eventually(gauges, (g) => g.subscriptions === before.subscriptions + 4 && g.sockets === before.sockets + 2);
    subs[0].unsubscribe();
    await eventually(gauges, (g) => g.subscriptions === before.subscriptions + 3);
    await Promise.all(clients.map((c) => c.dispose()));
    await eventually(gauges, (g) => g.sockets === before.sockets);
    await new Promise((r) => setTimeout(r, 300)); // graphql-ws completes the closed socket's subscriptions after onDisconnect
    expect(await gauges()).toEqual(before);
  });

  it("echoes a request id, or makes one", async () => {
    const given = await fetch(`${base()}/healthz`, { headers: { "x-request-id": "req-123" } });
    expect(given.headers.get("x-request-id")).toBe("req-123");
    const made = await fetch(`${base()}/healthz`);
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves the Apollo Sandbox landing page to browsers outside production", async () => {
    const res = await fetch(server.url, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("embeddable-sandbox");
  });
});

describe("bad input gets 4xx with a code, and the process stays up", () => {
  const cases: Array<[string, () => Promise<{ status: number; code: unknown; reason: unknown }>, number, string]> = [
    ["malformed JSON", () => post("{ not json"), 400, "MALFORMED_JSON"],
    ["unknown field", () => post(JSON.stringify({ query: "{ me { id shoeSize } }" })), 400, "GRAPHQL_VALIDATION_FAILED"],
    ["syntax error", () => post(JSON.stringify({ query: "{ me { id " })), 400, "GRAPHQL_PARSE_FAILED"],
    [
      "wrong variable type",
      () => post(JSON.stringify({ query: "query($n: Int!) { users(first: $n) { pageInfo { hasNextPage } } }", variables: { n: "ten" } })),
      400,
      "INVALID_VARIABLES",
    ],
    [
      "too many aliases",
      () => post(JSON.stringify({ query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(" ")} }` })),
      400,
      "TOO_MANY_ALIASES",
    ],
    [
      "too costly query",
      () =>
        post(
          JSON.stringify({
            query: `{ ${Array.from({ length: 20 }, (_, i) => `u${i}: users(first: 100) { edges { node { id email name role } } }`).join(" ")} }`,
          }),
          adminToken,
        ),
      400,
      "QUERY_TOO_COMPLEX",
    ],
    ["body over the limit", () => post(JSON.stringify({ query: "{ me { id } }", pad: "x".repeat(1_100_000) })), 413, "BODY_TOO_LARGE"],
    ["batched request", () => post(JSON.stringify([{ query: "{ me { id } }" }, { query: "{ me { id } }" }])), 400, "BAD_REQUEST"],
    ["missing query", () => post(JSON.stringify({ variables: {} })), 400, "BAD_REQUEST"],
  ];

  it.each(cases)("%s", async (_name, send, status, reason) => {
    const r = await send();
    expect(r).toEqual({ status, code: "BAD_USER_INPUT", reason });
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
  });

  it("rejects a query deeper than MAX_QUERY_DEPTH", async () => {
    const shallow = await startServer(deploymentEnv({ MAX_QUERY_DEPTH: "3" }));
    const deep = JSON.stringify({ query: "{ users(first: 1) { edges { node { id } } } }" });
    const r = await rawPost(shallow, deep, (await logInAdmin(shallow)).token);
    expect({ status: r.status, ...errorOf(r) }).toEqual({ status: 400, code: "BAD_USER_INPUT", reason: "QUERY_TOO_DEEP" });
    const ok = await rawPost(shallow, JSON.stringify({ query: "{ me { id } }" }));
    expect(ok.status).toBe(200);
  });

  it("refuses a simple (CSRF-able) GET request without a preflight header", async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent("{ me { id } }")}`);
    expect(res.status).toBe(400);
  });

  it("answers a GET query that carries the preflight header", async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent("{ me { id } }")}`, {
      headers: { "apollo-require-preflight": "1" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { me: null } });
  });

  it("rejects `first` above 100 with BAD_USER_INPUT", async () => {
    const r = await gql(server, UsersDocument, { first: 101 }, adminToken);
    expect(errorOf(r)).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
  });

  // A negative page size once made a document's total cost negative, so a query costing 244,212 ran.
  const costly = `${Array.from({ length: 20 }, (_, i) => `u${i}: users(first: 100) { edges { node { id email name role } } }`).join(" ")}`;
  const withNegative = (first: string) => `query($n: Int!) { ${costly} neg: users(first: ${first}) { edges { node { id } } } }`;

  it.each([["literal", "-100000000", {}], ["variable", "$n", { n: -100000000 }], ["zero", "0", {}]])(
    "a `first` outside 1..100 (%s) is refused before anything runs, over HTTP",
    async (_kind, first, variables) => {
      const query = withNegative(first).replace("query($n: Int!)", first === "$n" ? "query($n: Int!)" : "query");
      const r = await rawPost(server, JSON.stringify({ query, variables }), adminToken);
      expect({ status: r.status, ...errorOf(r), data: r.data }).toEqual({ status: 400, code: "BAD_USER_INPUT", reason: "INVALID_INPUT", data: undefined });
    },
  );

  it("a negative `first` is refused before anything runs, over graphql-ws", async () => {
    const client = wsClient(server, adminToken);
    try {
      const r = await wsExecute(client, UsersDocument, { first: -100000000 });
      expect({ ...errorOf({ status: 0, ...r }), data: r.data }).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT", data: undefined });
      const attack = await new Promise<unknown[]>((resolve) => {
        client.subscribe({ query: withNegative("-100000000").replace("query($n: Int!)", "query") }, {
          next: (v) => resolve(["next", v]),
          error: (e) => resolve(["error", e]),
          complete: () => undefined,
        });
      });
      expect(attack[0]).toBe("error");
      expect((attack[1] as Array<{ extensions: unknown }>)[0].extensions).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
    } finally {
      await client.dispose();
    }
  });

  it("answers an unknown path with 404", async () => {
    expect((await fetch(`${base()}/nope`)).status).toBe(404);
  });

  async function post(body: string, token?: string) {
    const r = await rawPost(server, body, token);
    return { status: r.status, ...errorOf(r) };
  }
});

