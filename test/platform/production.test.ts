// What a caller learns of the schema from a production server: nothing beyond what it sent. No
// introspection and no "Did you mean" suggestions, over HTTP and over graphql-ws alike; no landing page.
import type { Client } from "graphql-ws";
import { errorOf, rawPost, wsClient } from "../support/client";
import { signUp } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer(deploymentEnv({ NODE_ENV: "production" }));
  token = (await signUp(server)).token;
});
afterAll(stopAll);

/** One operation over a socket: the errors it was refused with, or its data. */
function overSocket(client: Client, query: string, variables: Record<string, unknown> = {}) {
  return new Promise<{ data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>((resolve) => {
    let data: unknown;
    client.subscribe({ query, variables }, {
      next: (v) => (data = v.data),
      error: (e) => resolve({ errors: e as never }),
      complete: () => resolve({ data }),
    });
  });
}

const INTROSPECTION = "{ __schema { types { name } } }";
const TYPE_PROBE = '{ __type(name: "User") { fields { name } } }';
const TYPO = "{ me { id emial } }";
const BAD_ENUM = { query: "query($r: Role!) { users(first: 1, role: $r) { pageInfo { hasNextPage } } }", variables: { r: "ADMN" } };

describe.each([
  ["anonymous", () => undefined],
  ["signed in", () => token],
])("%s caller", (_who, tokenOf) => {
  it.each([INTROSPECTION, TYPE_PROBE])("HTTP refuses introspection: %s", async (query) => {
    const r = await rawPost(server, JSON.stringify({ query }), tokenOf());
    expect(r.data).toBeUndefined();
    expect(r.status).toBe(400);
    expect(errorOf(r).code).toBe("BAD_USER_INPUT");
  });

  it.each([INTROSPECTION, TYPE_PROBE])("graphql-ws refuses introspection: %s", async (query) => {
    const client = wsClient(server, tokenOf());
    try {
      const r = await overSocket(client, query);
      expect(r.data).toBeUndefined();
      expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    } finally {
      await client.dispose();
    }
  });

  it("no schema suggestions in validation or variable errors, over HTTP", async () => {
    const typo = await rawPost(server, JSON.stringify({ query: TYPO }), tokenOf());
    const badEnum = await rawPost(server, JSON.stringify(BAD_ENUM), tokenOf());
    for (const r of [typo, badEnum]) {
      expect(r.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(r.errors)).not.toMatch(/Did you mean|"email"|"ADMIN"/);
    }
    expect(typo.errors![0].message).toContain('"emial"'); // what the caller sent is still named
  });

  it("no schema suggestions in validation or variable errors, over graphql-ws", async () => {
    const client = wsClient(server, tokenOf());
    try {
      const typo = await overSocket(client, TYPO);
      const badEnum = await overSocket(client, BAD_ENUM.query, BAD_ENUM.variables);
      for (const r of [typo, badEnum]) {
        expect(r.errors?.length).toBeGreaterThan(0);
        expect(JSON.stringify(r.errors)).not.toMatch(/Did you mean|"email"|"ADMIN"/);
      }
    } finally {
      await client.dispose();
    }
  });
});

it("serves no landing page to a browser", async () => {
  const res = await fetch(server.url, { headers: { accept: "text/html" } });
  const body = await res.text();
  expect(res.status).not.toBe(200);
  expect(body).not.toMatch(/<html|sandbox|embeddable/i);
});
