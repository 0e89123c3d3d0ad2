// The cases the fuzzer found (each once answered 500, INTERNAL_SERVER_ERROR or nothing at all), fixed
// and kept with their exact answers, over HTTP, a keep-alive connection and graphql-ws.
import { Client } from "undici";
import { CourseSeatsChangedDocument } from "../../operations/generated";
import { subscribe, wsClient } from "../support/client";
import { tokenFor } from "../support/tokens";
import { json } from "./fuzzCases";
import { BODY_LIMIT, JSON_HEADERS, NOWHERE, startFuzz, stopFuzz, type Fuzz } from "./fuzzSupport";

const f = {} as Fuzz;
beforeAll(() => startFuzz(f), 120_000);
afterAll(() => stopFuzz(f));

// Each of these once answered 500, INTERNAL_SERVER_ERROR or nothing at all; found by the fuzzer, fixed,
// and kept here with their exact answers.
it("answers the cases the fuzzer found with a client error", async () => {
  const { server, world, pool } = f;
  const call = async (body: unknown, token?: string, method = "POST", path = "/graphql") => {
    const res = await pool.request({ method: method as "POST", path, headers: { ...JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: method === "GET" ? undefined : typeof body === "string" ? body : json(body) });
    const parsed = (await res.body.json()) as { errors?: { extensions?: { code?: string; reason?: string } }[] };
    return `${res.statusCode} ${parsed.errors?.[0]?.extensions?.code}:${parsed.errors?.[0]?.extensions?.reason}`;
  };
  const signUp = "mutation ($input: SignUpInput!) { signUp(input: $input) { token } }";
  const chain = (n: number) => `query { ...F0 } ${Array.from({ length: n }, (_, i) => `fragment F${i} on Query { __typename ${i + 1 < n ? `...F${i + 1}` : ""} }`).join(" ")}`;
  expect({
    // validator's isEmail threw URIError on a lone surrogate
    loneSurrogate: await call({ query: signUp, variables: { input: { email: "\ud800", password: "\ud800", name: "\ud800", role: "STUDENT" } } }),
    // FerretDB (PostgreSQL) refused the NUL in its query
    nulInLiteral: await call({ query: 'mutation { logIn(email: "a\\u0000b", password: "x") { token } }' }),
    nulInVariable: await call({ query: "mutation ($e: String!) { logIn(email: $e, password: \"x\") { token } }", variables: { e: "a\u0000b" } }),
    // executed as a query: "Cannot return null for non-nullable field Subscription.courseSeatsChanged"
    subscriptionOverHttp: await call({ query: `subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } }` }, world.tokens.student),
    // Apollo's persisted-query error had no code
    persistedQuery: await call(null, undefined, "GET", `/graphql?query=${encodeURIComponent("{ me { id } }")}&extensions=${encodeURIComponent('{"persistedQuery":1}')}`),
    // validation recursed through the chain until the stack overflowed (500)
    fragmentChain: await call({ query: chain(3_000) }),
    // a token of ours whose subject is no ObjectId reached a mongoose cast
    operatorSubject: await call({ query: "{ me { id } }" }, tokenFor("ADMIN", '{"$gt":""}')),
  }).toEqual({
    loneSurrogate: "400 BAD_USER_INPUT:INVALID_STRING",
    nulInLiteral: "400 BAD_USER_INPUT:INVALID_STRING",
    nulInVariable: "400 BAD_USER_INPUT:INVALID_STRING",
    subscriptionOverHttp: "400 BAD_USER_INPUT:SUBSCRIPTION_OVER_HTTP",
    persistedQuery: "200 BAD_USER_INPUT:PERSISTED_QUERY_NOT_SUPPORTED",
    fragmentChain: "400 BAD_USER_INPUT:GRAPHQL_PARSE_FAILED",
    operatorSubject: "401 UNAUTHENTICATED:INVALID_TOKEN",
  });

  // An oversized body used to leave its keep-alive connection unread: the next request on it hung.
  const one = new Client(`http://127.0.0.1:${server.port}`, { pipelining: 1, headersTimeout: 10_000 });
  try {
    const big = await one.request({ method: "POST", path: "/graphql", headers: JSON_HEADERS, body: json({ query: `{ me { id } } # ${"x".repeat(2 * BODY_LIMIT)}` }) });
    await big.body.dump();
    const next = await one.request({ method: "POST", path: "/graphql", headers: JSON_HEADERS, body: json({ query: "{ me { id } }" }) });
    expect([big.statusCode, next.statusCode, await next.body.json()]).toEqual([413, 200, { data: { me: null } }]);
  } finally {
    await one.close();
  }

  // A subscription whose first snapshot fails kept the domain error's code only over HTTP.
  const client = wsClient(server, world.tokens.student);
  const seats = subscribe(client, CourseSeatsChangedDocument, { courseId: NOWHERE });
  await seats.ended;
  const error = seats.errors[0]; // graphql-ws hands the client the error message's list of errors
  expect((Array.isArray(error) ? error[0] : error)?.extensions?.code).toBe("NOT_FOUND");
  await client.dispose();

  // The fuzz run's end checks, for these cases: the server is still up and logged nothing at error level.
  expect(server.proc.exitCode).toBeNull();
  expect(server.logs.filter((l) => /"level":(50|60)/.test(l)).slice(0, 5)).toEqual([]);
}, 60_000);
