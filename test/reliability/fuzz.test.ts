// Fuzzing a running server: more than 10,000 malformed or hostile requests over HTTP (broken JSON,
// wrong content types and methods, documents built from the introspected schema with wrong argument
// types, huge strings and lists, deep nesting, aliases and repeated fields, batches, operator-looking
// strings in every String/ID argument, forged tokens), garbage on raw TCP, and malformed graphql-ws
// traffic. Then: no 5xx and no INTERNAL_SERVER_ERROR anywhere, no mutation accepted, the process still
// answers /healthz, a query and a subscription, MongoDB and Redis hold exactly what they held before,
// and the heap (after a full GC) is back near its baseline.
//
// No 5xx is intended on these paths: the only 5xx the server sends on purpose is /readyz's 503 while
// MongoDB or Redis is unreachable (both are up here, so /readyz must answer 200).
//
// FUZZ_SEED replays a run; FUZZ_SCALE (default 1) multiplies the volume; FUZZ_ONLY=<category,...>
// keeps some kinds of abuse; FUZZ_DEBUG=1 logs every request on the server. The figures are printed.
import { createHash } from "node:crypto";
import { connect as tcpConnect } from "node:net";
import { buildClientSchema, getIntrospectionQuery, getNamedType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { Redis } from "ioredis";
import jwt from "jsonwebtoken";
import { BSON, MongoClient } from "mongodb";
import { Client, Pool } from "undici";
import WebSocket from "ws";
import { CourseSeatsChangedDocument, CoursesDocument } from "../../operations/generated";
import { gql, subscribe, wsClient } from "../support/client";
import { forEachConcurrently } from "../../src/platform/async";
import { deploymentEnv, startServer, stopAll, TEST_JWT_SECRET, type TestServer } from "../support/server";
import { tokenFor } from "../support/tokens";
import {
  HOSTILE_STRINGS,
  int,
  inlineOperation,
  json,
  operation,
  pick,
  rng,
  rootFields,
  typedValue,
  wrongValue,
  type HttpCase,
  type RootField,
  type Rng,
} from "./fuzzCases";
import { buildWorld, PERSONAS, type Persona, type World } from "./world";

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const CONCURRENCY = 16;
const BODY_LIMIT = 1_048_576;

let server: TestServer;
let world: World;
let schema: GraphQLSchema;
let roots: RootField[];
let mongo: MongoClient;
let redis: Redis;
let pool: Pool;

beforeAll(async () => {
  // The inspector (loopback, any free port) lets the test run a full GC before reading memory.
  server = await startServer(deploymentEnv({ NODE_OPTIONS: "--inspect=127.0.0.1:0", ...(process.env.FUZZ_DEBUG ? { LOG_LEVEL: "debug" } : {}) }));
  world = await buildWorld(server, "fuzz");
  pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: CONCURRENCY, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const r = await pool.request({ path: "/graphql", method: "POST", headers: { "content-type": "application/json" }, body: json({ query: getIntrospectionQuery() }) });
  schema = buildClientSchema(((await r.body.json()) as { data: IntrospectionQuery }).data);
  roots = rootFields(schema);
  mongo = await MongoClient.connect(server.env.MONGO_URL, { maxPoolSize: 2 });
  redis = new Redis(server.env.REDIS_URL);
}, 120_000);

afterAll(async () => {
  await pool?.close();
  redis?.disconnect();
  await mongo?.close();
  await stopAll();
});

// --- who calls ----------------------------------------------------------------------------------

const FORGED_TOKENS = (): string[] => [
  "Bearer not-a-jwt",
  'Bearer {"$gt":""}',
  "Bearer " + jwt.sign({ sub: "0".repeat(24), role: "ADMIN" }, "another-secret-another-secret-0123456789", { algorithm: "HS256" }),
  "Bearer " + Buffer.from(json({ alg: "none", typ: "JWT" })).toString("base64url") + "." + Buffer.from(json({ sub: world.admin.id, role: "ADMIN" })).toString("base64url") + ".",
  "Bearer " + jwt.sign({ sub: world.admin.id, role: "ADMIN" }, TEST_JWT_SECRET, { algorithm: "HS256", expiresIn: -60 }),
  "Bearer " + jwt.sign({ sub: world.admin.id, role: "ROOT" }, TEST_JWT_SECRET, { algorithm: "HS256", expiresIn: 600 }),
  "Bearer " + jwt.sign({ sub: world.admin.id, role: "ADMIN" }, TEST_JWT_SECRET, { algorithm: "HS512", expiresIn: 600 }),
  "Bearer " + "x".repeat(8000),
  "Basic YWRtaW46YWRtaW4=",
  "Bearer ",
  // Signed with the deployment's secret but naming no account (or an operator): the server must not trip on it.
  "Bearer " + tokenFor("ADMIN", '{"$gt":""}'),
  "Bearer " + tokenFor("STUDENT", "not-an-object-id"),
];

function authHeader(r: Rng): Record<string, string> {
  const x = r();
  if (x < 0.08) return { authorization: pick(r, FORGED_TOKENS()) };
  const persona = pick(r, PERSONAS);
  const token = world.tokens[persona];
  return token ? { authorization: `Bearer ${token}` } : {};
}
const JSON_HEADERS = { "content-type": "application/json" };
const post = (category: string, body: string | (() => string | Buffer), r: Rng): HttpCase & { lazy?: () => string | Buffer } => ({
  category,
  method: "POST",
  path: "/graphql",
  headers: { ...JSON_HEADERS, ...authHeader(r) },
  ...(typeof body === "function" ? { lazy: body } : { body }),
  mutation: typeof body === "string" && /"query":"\s*mutation/.test(body),
});

// --- values -------------------------------------------------------------------------------------

/** Real ids by argument name, so only the fuzzed part of a request can be wrong. */
function realLeaf(name: string, scalar: string): unknown {
  const ids: Record<string, string> = {
    courseId: world.courseId,
    fromCourseId: world.course2Id,
    toCourseId: world.otherCourseId,
    quizId: world.quizId,
    questionId: world.questionId,
    entryId: world.entryId,
    windowId: world.windowId,
    schoolId: world.schoolId,
    groupId: world.groupId,
    studentId: world.student.id,
    studentIds: world.student.id,
    teacherId: world.staff.id,
    instructorId: world.ta.id,
    ownerId: world.staff.id,
    id: world.courseId,
  };
  if (name in ids) return ids[name];
  if (name === "date" || name === "from" || name === "to" || name === "effectiveFrom") return world.today;
  if (name === "email") return world.queued.email;
  return scalar === "ID" ? world.courseId : "fuzz";
}

/** Ids that exist nowhere: a mutation carrying one must be refused. */
const NOWHERE = "000000000000000000000000";

function validVars(r: Rng, root: RootField, leaf: (name: string, scalar: string) => unknown = realLeaf): Record<string, unknown> {
  return Object.fromEntries(root.field.args.map((a) => [a.name, typedValue(r, a.type, leaf, a.name)]));
}

/** Every String and ID argument (and input field) set to `s`; other arguments well-typed. */
function hostileVars(r: Rng, root: RootField, s: unknown): Record<string, unknown> {
  return validVars(r, root, () => s);
}

const queries = () => roots.filter((x) => x.kind === "query");
const httpRoots = () => roots.filter((x) => x.kind !== "subscription");

// --- the cases ----------------------------------------------------------------------------------

type Case = HttpCase & { lazy?: () => string | Buffer };

function brokenJson(r: Rng, n: number): Case[] {
  const bases = [
    ...queries().map((q) => json({ query: operation(r, q), variables: validVars(r, q) })),
    ...httpRoots()
      .filter((x) => x.kind === "mutation")
      .map((m) => json({ query: operation(r, m), variables: validVars(r, m, () => NOWHERE) })),
  ];
  const shapes = [
    "",
    " ",
    "null",
    "[]",
    "{}",
    '"query"',
    "123",
    "true",
    '{"query":1}',
    '{"query":null}',
    '{"query":""}',
    '{"query":"{"}',
    '{"query":"{ me { id } }","variables":"[]"}',
    '{"query":"{ me { id } }","variables":[1]}',
    '{"query":"{ me { id } }","variables":"{\\"a\\":1}"}',
    '{"query":"{ me { id } }","operationName":5}',
    '{"query":"{ me { id } }","operationName":{"$gt":""}}',
    '{"query":"{ me { id } }","extensions":"x"}',
    '{"query":"{ me { id } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
    '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}}',
    '{"query":"{ me { id } }","query":"mutation { logIn(email: \\"a\\", password: \\"b\\") { token } }"}',
    '{"query":{"$gt":""}}',
    '{"__proto__":{"query":"{ me { id } }"}}',
    '{"query":"{ me { id } }","variables":{"__proto__":{"isAdmin":true}}}',
    "\ufeff" + json({ query: "{ me { id } }" }),
    json({ query: "{ me { id } }" }) + "garbage",
    "{'query': '{ me { id } }'}",
    '{"query":"{ me { id } }",}',
    "[".repeat(50_000) + "]".repeat(50_000),
    '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000),
    '{"query":"{ me { id } }","variables":' + '{"a":'.repeat(5_000) + "1" + "}".repeat(5_000) + "}",
  ];
  const cases: Case[] = shapes.map((s) => post("broken JSON", s, r));
  while (cases.length < n) {
    const base = pick(r, bases);
    const at = int(r, 0, base.length - 1);
    const op = int(r, 0, 5);
    let body: string | Buffer;
    if (op === 0) body = base.slice(0, at);
    else if (op === 1) body = base.slice(0, at) + pick(r, ['"', "{", "}", "[", "]", ",", ":", "\\", "\u0000", "\n"]) + base.slice(at);
    else if (op === 2) body = base.slice(0, at) + base.slice(at + 1);
    else if (op === 3) body = Buffer.from(Array.from({ length: int(r, 1, 300) }, () => int(r, 0, 255)));
    else if (op === 4) body = Buffer.concat([Buffer.from(base.slice(0, at)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(base.slice(at))]);
    else body = base.replace(/"/g, () => (r() < 0.1 ? "'" : '"'));
    const c = post("broken JSON", typeof body === "string" ? body : "", r);
    if (typeof body !== "string") c.body = body;
    c.mutation = base.includes('"query":"mutation');
    cases.push(c);
  }
  return cases;
}

function contentTypesAndMethods(r: Rng, n: number): Case[] {
  const body = json({ query: "query { me { id } }" });
  const mutation = json({ query: `mutation { enroll(courseId: "${NOWHERE}") { id } }` });
  const types = [
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/graphql",
    "application/xml",
    "application/json; charset=latin1",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/json, text/plain",
    "application/graphql-response+json",
    "application/jsonp",
    "*/*",
    "",
  ];
  const getQueries = [
    "?query=" + encodeURIComponent("{ me { id } }"),
    "?query=" + encodeURIComponent(`mutation { enroll(courseId: "${NOWHERE}") { id } }`),
    "?query=" + encodeURIComponent("{ me { id } }") + "&variables=not-json",
    "?query=" + encodeURIComponent("{ me { id } }") + "&extensions=" + encodeURIComponent('{"persistedQuery":1}'),
    "?query=" + encodeURIComponent("{ me { id } }") + "&query=" + encodeURIComponent("{ __typename }"),
    "?query[$gt]=",
    "?variables=%7B%22a%22%3A1%7D",
    "?query=" + "%7B".repeat(2000),
    "?%%%",
    "",
  ];
  const paths = ["/graphql", "/graphql/", "/GRAPHQL", "//graphql", "/graphql%00", "/graphql/../graphql", "/healthz", "/readyz", "/metrics", "/nope", "/", "/" + "a".repeat(4000)];
  const cases: Case[] = [];
  while (cases.length < n) {
    const x = int(r, 0, 5);
    const category = "content types and methods";
    if (x <= 1) {
      const ct = pick(r, types);
      const b = r() < 0.3 ? mutation : body;
      cases.push({ category, method: "POST", path: "/graphql", headers: { ...(ct ? { "content-type": ct } : {}), ...authHeader(r) }, body: b, mutation: b === mutation });
    } else if (x === 2) {
      const preflight: Record<string, string> = r() < 0.5 ? { "apollo-require-preflight": "true" } : {};
      const q = pick(r, getQueries);
      cases.push({ category, method: "GET", path: "/graphql" + q, headers: { ...preflight, ...authHeader(r) }, mutation: q.includes("mutation") });
    } else if (x === 3) {
      const b = r() < 0.5 ? mutation : body;
      cases.push({ category, method: pick(r, ["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND"]), path: "/graphql", headers: { ...JSON_HEADERS, ...authHeader(r) }, body: b, mutation: b === mutation });
    } else {
      const method = pick(r, ["GET", "POST"]);
      cases.push({ category, method, path: pick(r, paths), headers: { ...JSON_HEADERS, ...authHeader(r) }, ...(method === "POST" ? { body: mutation } : {}), mutation: method === "POST" });
    }
  }
  return cases;
}

/** Documents from the schema with a wrong argument: value, literal, declared type, missing, unknown. */
function wrongTypes(r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  const all = roots;
  while (cases.length < n) {
    const root = pick(r, all);
    const args = root.field.args;
    const vars = validVars(r, root, () => NOWHERE);
    const variant = int(r, 0, 6);
    let query: string;
    let variables: Record<string, unknown> = vars;
    if (variant <= 2 && args.length) {
      const a = pick(r, args);
      variables = { ...vars, [a.name]: wrongValue(r, a.type) };
      query = variant === 2 ? inlineOperation(r, root, variables) : operation(r, root);
      if (variant === 2) variables = {};
    } else if (variant === 3 && args.length) {
      const a = pick(r, args);
      const wrong = pick(r, ["String", "Int!", "[ID!]!", "Boolean", "Float", "CreateCourseInput", "Role", "[[String]]", "NoSuchType", "ID!"]);
      query = operation(r, root, { [a.name]: wrong });
    } else if (variant === 4 && args.some((a) => isNonNullType(a.type))) {
      const a = pick(r, args.filter((x) => isNonNullType(x.type)));
      delete variables[a.name];
      query = operation(r, root);
    } else if (variant === 5) {
      query = operation(r, root).replace(/\{ (\w+)/, (_m, f) => `{ ${f}(${pick(r, ["notAnArg", "where", "$gt", "filter_"])}: ${pick(r, ['"x"', "1", '{ a: 1 }', "[1]", "null"])}`);
      if (!root.field.args.length) query = query.replace(/\{ (\w+)\(([^)]*)\)/, "{ $1($2)");
    } else {
      const junk = pick(r, [
        `${root.kind} { ${root.field.name} { notAField } }`,
        `${root.kind} { ${root.field.name} { __typename ...F } }`,
        `${root.kind} { ${root.field.name} { ... on NoSuchType { id } } }`,
        `${root.kind} { notAField }`,
        `${root.kind} { ${root.field.name}(id: $undefinedVariable) { __typename } }`,
        `${root.kind} Q($unused: Int) { __typename }`,
        `query A { __typename } query A { __typename }`,
        `query A { __typename } mutation B { __typename }`,
        `fragment F on NoSuchType { id } query { __typename ...F }`,
        `query { __typename @skip(if: "yes") }`,
        `query { __typename @noSuchDirective }`,
        `subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } courseSeatsChanged2: courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } }`,
        `subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } }`,
        `{ __schema { types { name fields { name args { name type { name ofType { name ofType { name } } } } } } } }`,
        `{ __type(name: "Query") { fields { name } } }`,
        `{ me { id } } { me { id } }`,
        `query ($a: Int = "x") { __typename }`,
        `query ($a: [Int!]! = [null]) { __typename }`,
      ]);
      query = junk;
      variables = {};
    }
    const c = post("wrong argument types", json({ query, variables, ...(r() < 0.1 ? { operationName: pick(r, ["Fuzz", "Nope", ""]) } : {}) }), r);
    c.mutation = /^\s*mutation|\} mutation /.test(query);
    cases.push(c);
  }
  return cases;
}

function stringLeaves(type: GraphQLInputType): boolean {
  const t = getNamedType(type);
  if (isScalarType(t)) return t.name === "String" || t.name === "ID";
  if (isInputObjectType(t)) return Object.values(t.getFields()).some((f) => stringLeaves(f.type));
  return false;
}

function hugeInputs(r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  const withStrings = httpRoots().filter((x) => x.field.args.some((a) => stringLeaves(a.type)));
  const withLists = httpRoots().filter((x) => x.field.args.some((a) => isListType(isNonNullType(a.type) ? a.type.ofType : a.type) || (isInputObjectType(getNamedType(a.type)) && JSON.stringify(typedValue(r, a.type, () => "x")).includes("["))));
  while (cases.length < n) {
    const x = int(r, 0, 7);
    if (x <= 2) {
      // One huge string in every String/ID argument (ids that exist nowhere elsewhere are not needed: the string is the id).
      const root = pick(r, withStrings);
      const size = pick(r, [10_000, 100_000, 500_000, 1_000_000]);
      cases.push(post("huge strings and lists", () => json({ query: operation(r, root), variables: hostileVars(r, root, "A".repeat(size)) }), r));
      cases[cases.length - 1].mutation = root.kind === "mutation";
    } else if (x <= 4) {
      // Long lists of ids that exist nowhere.
      const root = pick(r, withLists.length ? withLists : withStrings);
      const length = pick(r, [1_000, 10_000, 30_000]);
      const leaf = () => NOWHERE;
      // Only the outermost lists grow (a list of lists of 30,000 would be 900 million items).
      const grow = (v: unknown, top = true): unknown =>
        Array.isArray(v) ? (top ? Array.from({ length }, () => grow(v[0], false)) : v) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, y]) => [k, grow(y, top)])) : v;
      cases.push(post("huge strings and lists", () => json({ query: operation(r, root), variables: grow(validVars(r, root, leaf)) }), r));
      cases[cases.length - 1].mutation = root.kind === "mutation";
    } else if (x === 5) {
      const size = pick(r, [BODY_LIMIT + 1, 2 * BODY_LIMIT, 5 * BODY_LIMIT]);
      cases.push(post("huge strings and lists", () => json({ query: `mutation { logIn(email: "a@b.c", password: "${"p".repeat(size)}") { token } }` }), r));
    } else if (x === 6) {
      const count = pick(r, [1_000, 10_000]);
      const vars = Array.from({ length: count }, (_, i) => `$v${i}: String`).join(", ");
      cases.push(post("huge strings and lists", () => json({ query: `query Q(${vars}) { __typename }`, variables: Object.fromEntries(Array.from({ length: count }, (_, i) => [`v${i}`, "x"])) }), r));
    } else {
      const what = int(r, 0, 3);
      const size = pick(r, [100_000, 900_000]);
      const query =
        what === 0
          ? `{ me { id } ${" ".repeat(size)} }`
          : what === 1
            ? `# ${"c".repeat(size)}\n{ me { id } }`
            : what === 2
              ? `{ ${"f".repeat(size)} }`
              : `query ${"N".repeat(size)} { me { id } }`;
      cases.push(post("huge strings and lists", () => json({ query }), r));
    }
  }
  return cases;
}

function deepNesting(r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  while (cases.length < n) {
    const depth = pick(r, [11, 20, 50, 200, 1_000, 3_000, 10_000]);
    const x = int(r, 0, 5);
    let query: string;
    const variables: Record<string, unknown> = {};
    if (x === 0) {
      // A real cycle: group -> school -> groups -> node -> school -> ...
      const levels = Math.min(depth, 400);
      query = `{ group(id: "${world.groupId}") { ${"school { groups { edges { node { ".repeat(levels)}id${" } } } }".repeat(levels)} } }`;
    } else if (x === 1) {
      query = `{ ${"a { ".repeat(depth)}b${" }".repeat(depth)} }`;
    } else if (x === 2) {
      query = `{ course(id: ${"[".repeat(depth)}"x"${"]".repeat(depth)}) { id } }`;
    } else if (x === 3) {
      const count = Math.min(depth, 2_000);
      query = `query { ...F0 } ${Array.from({ length: count }, (_, i) => `fragment F${i} on Query { __typename ${i + 1 < count ? `...F${i + 1}` : ""} }`).join(" ")}`;
    } else if (x === 4) {
      query = `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`;
    } else {
      // Nested far past what JSON.stringify (or a recursive reader) can take: written out by hand.
      const d = Math.min(depth, 10_000);
      const body = `{"query":"mutation M($i: CreateCourseInput!) { createCourse(input: $i) { id } }","variables":{"i":${'{"title":'.repeat(d)}"x"${"}".repeat(d)}}}`;
      const c = post("deep nesting", body, r);
      c.mutation = true;
      cases.push(c);
      continue;
    }
    const c = post("deep nesting", json({ query, variables }), r);
    c.mutation = query.startsWith("mutation");
    cases.push(c);
  }
  return cases;
}

function aliasesAndRepetition(r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  while (cases.length < n) {
    const count = pick(r, [31, 100, 1_000, 3_000, 10_000]);
    const x = int(r, 0, 5);
    let query: string;
    if (x === 0) query = `{ ${Array.from({ length: count }, (_, i) => `a${i}: course(id: "${world.courseId}") { id title }`).join(" ")} }`;
    else if (x === 1) query = `mutation { ${Array.from({ length: Math.min(count, 2_000) }, (_, i) => `a${i}: enroll(courseId: "${NOWHERE}") { id }`).join(" ")} }`;
    else if (x === 2) query = `{ ${Array.from({ length: count }, () => `course(id: "${world.courseId}") { id title }`).join(" ")} }`;
    else if (x === 3) query = `{ me ${Array.from({ length: Math.min(count, 3_000) }, () => "@include(if: true)").join(" ")} { id } }`;
    else if (x === 4) query = Array.from({ length: Math.min(count, 3_000) }, (_, i) => `query Q${i} { me { id } }`).join(" ");
    else query = `{ a: course(id: "${world.courseId}") { id } a: course(id: "${world.course2Id}") { id } ${Array.from({ length: Math.min(count, 2_000) }, (_, i) => `b${i}: me { id }`).join(" ")} }`;
    const c = post("aliases and repetition", json({ query, ...(x === 4 && r() < 0.5 ? { operationName: `Q${int(r, 0, 10)}` } : {}) }), r);
    c.mutation = x === 1;
    cases.push(c);
  }
  return cases;
}

function batches(r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  const items = [
    { query: "{ me { id } }" },
    { query: `mutation { enroll(courseId: "${NOWHERE}") { id } }` },
    { query: `mutation { logIn(email: "${world.queued.email}", password: "wrong") { token } }` },
    "garbage",
    null,
    [],
  ];
  while (cases.length < n) {
    const size = pick(r, [0, 1, 2, 10, 100, 1_000]);
    const batch = Array.from({ length: size }, () => pick(r, items));
    const c = post("batched arrays", json(r() < 0.1 ? [batch] : batch), r);
    c.mutation = true;
    cases.push(c);
  }
  return cases;
}

/** Operator-looking strings in every String and ID argument, as variables and inline; operator objects too. */
function operatorStrings(r: Rng, rounds: number): Case[] {
  const cases: Case[] = [];
  const personas: Persona[] = ["staff", "student", "otherInstructor", "anonymous", "observer"];
  const targets = httpRoots().filter((x) => x.field.args.some((a) => stringLeaves(a.type)));
  for (let round = 0; round < rounds; round++) {
    for (const root of targets) {
      for (const s of HOSTILE_STRINGS) {
        for (const persona of ["admin", pick(r, personas)] as Persona[]) {
          const token = world.tokens[persona];
          const vars = hostileVars(r, root, s);
          const inline = r() < 0.2;
          const body = json(inline ? { query: inlineOperation(r, root, vars) } : { query: operation(r, root), variables: vars });
          cases.push({ category: "operator strings", method: "POST", path: "/graphql", headers: { ...JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body, mutation: root.kind === "mutation" });
        }
      }
      // The operator as a JSON object, and prototype keys, where a string is expected.
      for (const obj of [{ $gt: "" }, { $ne: null }, JSON.parse('{"__proto__":{"role":"ADMIN"}}'), { constructor: { prototype: { role: "ADMIN" } } }]) {
        const body = json({ query: operation(r, root), variables: hostileVars(r, root, obj) });
        cases.push({ category: "operator strings", method: "POST", path: "/graphql", headers: { ...JSON_HEADERS, authorization: `Bearer ${world.tokens.admin}` }, body, mutation: root.kind === "mutation" });
      }
    }
  }
  return cases;
}

// --- running them -------------------------------------------------------------------------------

interface Result {
  c: Case;
  status: number;
  /** When it was sent, ms since the test's epoch (to tell a stall of everything from one slow request). */
  at: number;
  ms: number;
  /** The start of the answer (for reports); the verdicts below are taken on all of it. */
  text: string;
  /** The answer names INTERNAL_SERVER_ERROR anywhere. */
  internal: boolean;
  /** A mutation the server carried out: some root field came back with data. */
  accepted: boolean;
  error?: string;
}

async function send(c: Case): Promise<Result> {
  const started = performance.now();
  const at = Math.round(started);
  try {
    const body = c.lazy ? c.lazy() : c.body;
    const res = await pool.request({ method: c.method as "GET", path: c.path, headers: { ...c.headers, "x-request-id": `fz-${at}-${c.category.length}` }, body: c.method === "GET" || c.method === "HEAD" ? undefined : body });
    const text = await res.body.text();
    return {
      c, status: res.statusCode, at, ms: performance.now() - started, text: text.slice(0, 4000),
      internal: text.includes("INTERNAL_SERVER_ERROR"), accepted: res.statusCode === 200 && carriedOut(text),
    };
  } catch (e) {
    return { c, status: 0, at, ms: performance.now() - started, text: "", internal: false, accepted: false, error: String((e as Error).message ?? e) };
  }
}

async function runAll(cases: Case[]): Promise<Result[]> {
  const results: Result[] = [];
  // send() never rejects: it turns a failure into a Result.
  await forEachConcurrently(cases, CONCURRENCY, async (c) => void results.push(await send(c)), () => undefined);
  return results;
}

/** Some root field of a GraphQL answer (or of a batch's) came back with data; not JSON (a page): no. */
function carriedOut(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { data?: Record<string, unknown> | null } | { data?: Record<string, unknown> | null }[];
    const answers = Array.isArray(parsed) ? parsed : [parsed];
    return answers.some((a) => a?.data && Object.values(a.data).some((v) => v !== null && v !== undefined));
  } catch {
    return false;
  }
}

interface Problems {
  serverErrors: string[];
  internal: string[];
  noAnswer: string[];
  acceptedMutations: string[];
}

function check(results: Result[]): Problems {
  const p: Problems = { serverErrors: [], internal: [], noAnswer: [], acceptedMutations: [] };
  const show = (res: Result) => `@${res.at} ms ${res.c.category} ${res.c.method} ${res.c.path.slice(0, 80)} ${String(res.c.body ?? "(lazy)").slice(0, 300)} -> ${res.status} ${res.error ?? res.text.slice(0, 300)}`;
  for (const res of results) {
    if (res.status >= 500) p.serverErrors.push(show(res));
    if (res.internal) p.internal.push(show(res));
    if (res.status === 0) {
      const id = `fz-${res.at}-${res.c.category.length}`;
      p.noAnswer.push(`${show(res)} [server log: ${server.logs.filter((l) => l.includes(id)).join(" / ").slice(0, 600) || "nothing"}]`);
    }
    if (res.c.mutation && res.accepted) p.acceptedMutations.push(show(res));
  }
  return p;
}

/** Garbage straight on the socket: the HTTP parser refuses it (400) or the connection just closes. */
async function rawTcp(r: Rng, n: number): Promise<{ sent: number; answers: string[] }> {
  const payloads = [
    "GARBAGE\r\n\r\n",
    "GET /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "GET / HTTP/9.9\r\n\r\n",
    "GET /graphql HTTP/1.1\r\nHost: x\r\n" + "X-Big: " + "h".repeat(20_000) + "\r\n\r\n",
    "\u0000\u0001\u0002\u0003",
    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\n\r\nBROKEN\r\n\r\n",
  ];
  const answers: string[] = [];
  const one = (payload: string) =>
    new Promise<void>((resolve) => {
      const socket = tcpConnect(server.port, "127.0.0.1");
      let got = "";
      const timer = setTimeout(() => socket.destroy(), 3000);
      socket.on("data", (d) => (got += d.toString("latin1")));
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearTimeout(timer);
        answers.push(got.split("\r\n")[0] ?? "");
        resolve();
      });
      socket.write(payload);
      if (r() < 0.5) socket.end();
    });
  for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => one(pick(r, payloads))));
  return { sent: n, answers };
}

// --- graphql-ws ---------------------------------------------------------------------------------

interface WsOutcome {
  messages: number;
  sockets: number;
  closeCodes: Map<number, number>;
  problems: string[];
}

/** A message for a socket; an operation that must be answered (error or complete) names its id. */
interface WsMessage {
  msg: string | Buffer;
  /** The operation's id when the server must answer it with `error` or `complete`. */
  answer?: string;
  /** A mutation: a `next` carrying data would mean it was carried out. */
  mutation?: boolean;
}

/**
 * One socket: connects (optionally with a connection_init), sends its messages once acknowledged (or
 * at once without init), and resolves with the close code and what went wrong: an internal error, a
 * mutation carried out, an operation left unanswered, a close for an internal reason.
 */
function wsScript(
  messages: WsMessage[],
  opts: { protocol?: string | null; init?: unknown; handshakeMayFail?: boolean } = {},
): Promise<{ code: number; problems: string[]; sent: number }> {
  return new Promise((resolve) => {
    const protocol = opts.protocol === undefined ? "graphql-transport-ws" : opts.protocol;
    const ws = protocol === null ? new WebSocket(server.wsUrl) : new WebSocket(server.wsUrl, protocol);
    const problems: string[] = [];
    const waiting = new Map(messages.filter((m) => m.answer).map((m) => [m.answer!, String(m.msg).slice(0, 200)]));
    const mutations = new Set(messages.filter((m) => m.mutation && m.answer).map((m) => m.answer!));
    let sent = 0;
    let terminated = false;
    const sendAll = () => {
      for (const m of messages) {
        ws.send(m.msg);
        sent++;
      }
      if (waiting.size === 0) setTimeout(() => ws.close(1000), 300).unref();
    };
    const timer = setTimeout(() => {
      if (waiting.size) problems.push(`unanswered after 20 s: ${[...waiting.values()].join(" | ")}`);
      terminated = true;
      ws.terminate();
    }, 20_000);
    let clientError = "";
    ws.on("error", (e) => (clientError = e.message));
    ws.on("message", (data) => {
      const text = String(data);
      if (text.includes("INTERNAL_SERVER_ERROR")) problems.push(`internal error: ${text.slice(0, 300)}`);
      let m: { type: string; id?: string; payload?: { data?: Record<string, unknown> | null } };
      try {
        m = JSON.parse(text);
      } catch {
        problems.push(`non-JSON message: ${text.slice(0, 100)}`);
        return;
      }
      if (m.type === "connection_ack") sendAll();
      if (m.type === "next" && m.id && mutations.has(m.id) && Object.values(m.payload?.data ?? {}).some((v) => v !== null)) problems.push(`mutation carried out: ${text.slice(0, 200)}`);
      if ((m.type === "error" || m.type === "complete") && m.id && waiting.delete(m.id) && waiting.size === 0) ws.close(1000);
    });
    ws.on("open", () => {
      if (opts.init === undefined) {
        sendAll();
        setTimeout(() => ws.close(1000), 2000).unref();
      } else {
        ws.send(typeof opts.init === "string" ? opts.init : json(opts.init));
        sent++;
      }
    });
    ws.on("close", (code) => {
      clearTimeout(timer);
      // 1006: the server dropped the socket without a close frame (only expected when we terminated it).
      // (the ws client aborts by itself when the server picks no subprotocol it asked for).
      const clientAborted = opts.handshakeMayFail && /subprotocol/i.test(clientError);
      if (code === 1011 || code === 4500 || (code === 1006 && !terminated && !clientAborted)) problems.push(`closed with ${code} ${clientError}`);
      // A normal close (ours, after the no-init wait) with operations still unanswered: the server
      // neither answered them nor refused the socket (a 44xx close answers them all).
      if (code === 1000 && waiting.size) problems.push(`unanswered at close: ${[...waiting.values()].join(" | ")}`);
      resolve({ code, problems, sent });
    });
  });
}

async function wsFuzz(r: Rng, scale: number): Promise<WsOutcome> {
  const out: WsOutcome = { messages: 0, sockets: 0, closeCodes: new Map(), problems: [] };
  const scripts: (() => Promise<{ code: number; problems: string[]; sent: number }>)[] = [];
  const garbage = ["{", "null", "[]", '"x"', "1", json({ type: "nope" }), json({ type: "subscribe" }), json({ type: "subscribe", id: 1, payload: {} }), json({ id: "1" }), json({ type: { $gt: "" } }), "\u0000", json({ type: "connection_init", payload: "x" }), json({ type: "connection_init", payload: [1] })];
  const init = (persona: Persona) => ({ type: "connection_init", payload: world.tokens[persona] ? { authorization: `Bearer ${world.tokens[persona]}` } : {} });
  // Malformed before or instead of connection_init.
  for (let i = 0; i < 60 * scale; i++) scripts.push(() => wsScript([{ msg: r() < 0.2 ? Buffer.from([0xff, 0x00, 0x13]) : pick(r, garbage) }]));
  // Subscribing before being acknowledged.
  for (let i = 0; i < 10 * scale; i++) scripts.push(() => wsScript([{ msg: json({ type: "subscribe", id: "a", payload: { query: "subscription { domainEvents { id } }" } }) }]));
  // Hostile connection_init payloads.
  const hostileInits: unknown[] = [
    { type: "connection_init", payload: { authorization: { $gt: "" } } },
    { type: "connection_init", payload: { authorization: ["Bearer x"] } },
    { type: "connection_init", payload: { authorization: "Bearer " + "x".repeat(500_000) } },
    ...FORGED_TOKENS().map((t) => ({ type: "connection_init", payload: { authorization: t } })),
    { type: "connection_init", payload: JSON.parse('{"__proto__":{"authorization":"x"}}') },
    "not json at all",
  ];
  for (let i = 0; i < 40 * scale; i++) scripts.push(() => wsScript([], { init: pick(r, hostileInits) }));
  // Wrong or missing subprotocol.
  for (let i = 0; i < 5 * scale; i++) scripts.push(() => wsScript([{ msg: json(init("admin")) }], { protocol: pick(r, ["graphql-ws", "nope", null]), handshakeMayFail: true }));
  // Acknowledged sockets sending streams of hostile operations; each must be refused with an error.
  const subs = roots.filter((x) => x.kind === "subscription" && x.field.args.some((a) => stringLeaves(a.type)));
  const mutations = roots.filter((y) => y.kind === "mutation" && y.field.args.some((a) => stringLeaves(a.type)));
  const hostileOp = (): WsMessage => {
    const x = int(r, 0, 8);
    const id = `op${int(r, 0, 1e9)}`;
    const sub = pick(r, subs);
    const op = (query: string, variables: Record<string, unknown> = {}, mutation = false): WsMessage => ({ msg: json({ type: "subscribe", id, payload: { query, variables } }), answer: id, mutation });
    if (x === 0) return op(operation(r, sub), hostileVars(r, sub, pick(r, HOSTILE_STRINGS)));
    if (x === 1) {
      const a = pick(r, sub.field.args);
      return op(operation(r, sub), { ...validVars(r, sub), [a.name]: wrongValue(r, a.type) });
    }
    if (x === 2) return op(`subscription { ${"a { ".repeat(2000)}b${" }".repeat(2000)} }`);
    if (x === 3) return op(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: me { id }`).join(" ")} }`);
    if (x === 4) {
      const m = pick(r, mutations);
      return op(operation(r, m), hostileVars(r, m, pick(r, HOSTILE_STRINGS)), true);
    }
    if (x === 5) return { msg: json({ type: "ping", payload: { $gt: "" } }) };
    if (x === 6) return { msg: json({ type: "complete", id: `unknown${id}` }) };
    if (x === 7) return op(`subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } me: courseSeatsChanged(courseId: "${NOWHERE}") { seatsLeft } }`);
    return op(`subscription { domainEvents(names: ${JSON.stringify(Array.from({ length: 500 }, () => "X".repeat(100)))}) { id } }`);
  };
  for (let i = 0; i < 100 * scale; i++) {
    scripts.push(() => {
      const ops = Array.from({ length: int(r, 10, 25) }, hostileOp);
      // A message graphql-ws finds invalid closes the socket (4400): one, last, on some sockets.
      if (r() < 0.3) ops.push({ msg: json({ type: "subscribe", id: "bad", payload: { query: { $gt: "" } } }) });
      return wsScript(ops, { init: init(pick(r, PERSONAS)) });
    });
  }
  // Too many initialisations, duplicate subscription ids, oversized messages.
  for (let i = 0; i < 5 * scale; i++) {
    scripts.push(() => wsScript([{ msg: json(init("admin")) }], { init: init("admin") }));
    const same = json({ type: "subscribe", id: "same", payload: { query: `subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } }` } });
    scripts.push(() => wsScript([{ msg: same }, { msg: same }], { init: init("student") }));
    scripts.push(() => wsScript([{ msg: json({ type: "subscribe", id: "big", payload: { query: "{ me { id } }", variables: { x: "y".repeat(BODY_LIMIT + 10) } } }) }], { init: init("admin") }));
  }
  await forEachConcurrently(
    scripts,
    12,
    async (script) => {
      const res = await script();
      out.sockets++;
      out.messages += res.sent;
      out.closeCodes.set(res.code, (out.closeCodes.get(res.code) ?? 0) + 1);
      out.problems.push(...res.problems);
    },
    (err) => out.problems.push(`socket script failed: ${String(err)}`),
  );
  return out;
}

// --- state and memory ---------------------------------------------------------------------------

/** Every MongoDB collection and every Redis key of the deployment, hashed (rate-limit counters and locks are not data). */
async function snapshot(): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  const db = mongo.db();
  for (const { name } of await db.listCollections().toArray()) {
    if (/^agenda/i.test(name)) continue; // the scheduler's own bookkeeping (lastRunAt of recurring jobs)
    const docs = await db.collection(name).find().sort({ _id: 1 }).toArray();
    state.set(`mongo:${name}`, `${docs.length}:${createHash("sha1").update(BSON.EJSON.stringify(docs)).digest("hex")}`);
  }
  const prefix = server.env.REDIS_PREFIX;
  let cursor = "0";
  do {
    const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = nextCursor;
    for (const key of keys) {
      const short = key.slice(prefix.length);
      if (VOLATILE_KEYS.test(short)) continue;
      const type = await redis.type(key);
      let value: unknown;
      if (type === "string") value = await redis.get(key);
      else if (type === "hash") value = Object.entries(await redis.hgetall(key)).sort();
      else if (type === "set") value = (await redis.smembers(key)).sort();
      else if (type === "zset") value = await redis.zrange(key, 0, -1, "WITHSCORES");
      else if (type === "list") value = await redis.lrange(key, 0, -1);
      else if (type === "stream") value = await redis.xlen(key);
      else continue; // gone between SCAN and TYPE
      state.set(`redis:${short}`, createHash("sha1").update(json(value)).digest("hex"));
    }
  } while (cursor !== "0");
  return state;
}
/** Rate-limit counters (rejected log-ins count, on purpose) and locks. */
const VOLATILE_KEYS = /^(rl|lock):/;

/** Entries of the durable logs (enrollment, quiz, attendance) not yet in MongoDB, from /metrics. */
async function logBacklog(): Promise<number> {
  const text = await (await fetch(server.metricsUrl)).text();
  return [...text.matchAll(/^\w+_log_backlog (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

/** The state once every log is written (a register being taken waits up to 10 s) and nothing moves for 1.5 s. */
async function settledSnapshot(): Promise<Map<string, string>> {
  let previous: Map<string, string> | null = null;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((res) => setTimeout(res, 1500))) {
    if ((await logBacklog()) > 0) {
      previous = null;
      continue;
    }
    const now = await snapshot();
    if (previous && diff(previous, now).length === 0) return now;
    previous = now;
  }
  throw new Error("state never settled");
}

const diff = (a: Map<string, string>, b: Map<string, string>) =>
  [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? "(none)"} -> ${b.get(k) ?? "(none)"}`);

/** Full GC through the inspector, then the heap and RSS as /metrics reports them. */
async function memoryAfterGc(): Promise<{ heapMb: number; rssMb: number; lagMaxMs: number }> {
  const url = server.logs.join("").match(/Debugger listening on (ws:\/\/\S+)/)?.[1];
  if (!url) throw new Error("no inspector URL in the server's output");
  const inspector = new WebSocket(url);
  await new Promise((res, rej) => inspector.once("open", res).once("error", rej));
  for (let id = 1; id <= 2; id++) {
    await new Promise<void>((res) => {
      inspector.on("message", function onMessage(data) {
        if ((JSON.parse(String(data)) as { id?: number }).id === id) {
          inspector.off("message", onMessage);
          res();
        }
      });
      inspector.send(json({ id, method: "HeapProfiler.collectGarbage" }));
    });
  }
  inspector.close();
  const text = await (await fetch(server.metricsUrl)).text();
  const metric = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)`, "m"))?.[1] ?? NaN) / 1_048_576;
  return { heapMb: metric("nodejs_heap_size_used_bytes"), rssMb: metric("process_resident_memory_bytes"), lagMaxMs: metric("nodejs_eventloop_lag_max_seconds") * 1_048_576 * 1000 };
}

async function stillServing(): Promise<void> {
  const health = await pool.request({ path: "/healthz", method: "GET" });
  expect(health.statusCode).toBe(200);
  await health.body.dump();
  const ready = await pool.request({ path: "/readyz", method: "GET" });
  expect(ready.statusCode).toBe(200);
  await ready.body.dump();
  const courses = await gql(server, CoursesDocument, { first: 10 }, world.tokens.student);
  expect(courses.errors ?? []).toEqual([]);
  expect(courses.data!.courses.edges.length).toBeGreaterThan(0);
  const client = wsClient(server, world.tokens.student);
  const seats = subscribe(client, CourseSeatsChangedDocument, { courseId: world.courseId });
  expect((await seats.next(10_000)).courseSeatsChanged.courseId).toBe(world.courseId);
  seats.unsubscribe();
  await client.dispose();
}

// --- the test -----------------------------------------------------------------------------------

// Each of these once answered 500, INTERNAL_SERVER_ERROR or nothing at all; found by the fuzzer, fixed,
// and kept here with their exact answers.
it("answers the cases the fuzzer found with a client error", async () => {
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
}, 60_000);

it("survives >10,000 malformed and hostile requests: no 5xx, no crash, no data changed, memory back near baseline", async () => {
  const r = rng(SEED);
  const before = await settledSnapshot();
  // The snapshot sees the world (8 accounts and 2 roster-only students; not an empty database under another name).
  expect([before.get("mongo:users"), before.get("mongo:courses"), before.get("mongo:quizzes")].map((v) => Number(v?.split(":")[0]))).toEqual([10, 3, 1]);
  expect([...before.keys()].filter((k) => k.startsWith("redis:")).length).toBeGreaterThan(10);

  const cases: Case[] = [
    ...brokenJson(r, 1_500 * SCALE),
    ...contentTypesAndMethods(r, 1_000 * SCALE),
    ...wrongTypes(r, 2_500 * SCALE),
    ...hugeInputs(r, 200 * SCALE),
    ...deepNesting(r, 400 * SCALE),
    ...aliasesAndRepetition(r, 400 * SCALE),
    ...batches(r, 300 * SCALE),
    ...operatorStrings(r, SCALE),
  ];
  if (process.env.FUZZ_ONLY) {
    const only = process.env.FUZZ_ONLY.split(",");
    cases.splice(0, cases.length, ...cases.filter((c) => only.includes(c.category)));
  }
  // Shuffled (same seed, same order), so each kind of abuse runs alongside the others.
  for (let i = cases.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [cases[i], cases[j]] = [cases[j], cases[i]];
  }

  // Baseline after a warm-up of every kind (JIT, caches, pools), then the rest.
  const warmup = cases.splice(0, 500);
  const warmResults = await runAll(warmup);
  const baseline = await memoryAfterGc();

  const started = Date.now();
  const results = await runAll(cases);
  const httpSeconds = (Date.now() - started) / 1000;
  const tcp = await rawTcp(r, 100);
  const ws = await wsFuzz(r, SCALE);
  const seconds = (Date.now() - started) / 1000;

  await stillServing();
  const after = await memoryAfterGc();
  // The same 1,000 requests again: their documents are cached now, so any growth is per request.
  const replay = await runAll(cases.slice(0, 1_000));
  const afterReplay = await memoryAfterGc();
  const state = await settledSnapshot();

  const all = [...warmResults, ...results, ...replay];
  const byCategory = new Map<string, { n: number; statuses: Map<number, number>; maxMs: number }>();
  for (const res of all) {
    const s = byCategory.get(res.c.category) ?? { n: 0, statuses: new Map(), maxMs: 0 };
    s.n++;
    s.statuses.set(res.status, (s.statuses.get(res.status) ?? 0) + 1);
    s.maxMs = Math.max(s.maxMs, res.ms);
    byCategory.set(res.c.category, s);
  }
  const lines = [...byCategory].map(([k, s]) => `  ${k.padEnd(28)} ${String(s.n).padStart(6)}  statuses ${[...s.statuses].sort().map(([st, c]) => `${st}x${c}`).join(" ")}  slowest ${s.maxMs.toFixed(0)} ms`);
  process.stdout.write(
    [
      `\nfuzz seed ${SEED}: ${all.length} HTTP requests (${warmup.length} warm-up, ${results.length} in ${httpSeconds.toFixed(1)} s, ${replay.length} replayed) + ${tcp.sent} raw TCP + ${ws.messages} graphql-ws messages on ${ws.sockets} sockets; ${seconds.toFixed(1)} s from the warm-up's end to the last socket`,
      ...lines,
      ...[...all]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map((res) => `  slow: ${res.ms.toFixed(0)} ms ${res.status} ${res.c.category}: ${typeof res.c.body === "string" ? res.c.body.slice(0, 240) : res.c.body ? `<${res.c.body.length} bytes>` : res.c.path.slice(0, 240)}`),
      `  raw TCP first lines: ${[...new Set(tcp.answers)].join(" | ")}`,
      `  graphql-ws close codes: ${[...ws.closeCodes].sort().map(([c, n]) => `${c}x${n}`).join(" ")}`,
      `  heap after a full GC: ${baseline.heapMb.toFixed(1)} MB after the warm-up, ${after.heapMb.toFixed(1)} MB after the run, ${afterReplay.heapMb.toFixed(1)} MB after replaying ${replay.length}; RSS ${baseline.rssMb.toFixed(1)} / ${after.rssMb.toFixed(1)} / ${afterReplay.rssMb.toFixed(1)} MB; longest event-loop stall ${afterReplay.lagMaxMs.toFixed(0)} ms`,
      "",
    ].join("\n"),
  );

  const p = check(all);
  const first = (xs: string[]) => xs.slice(0, 8);
  expect({
    serverErrors: first(p.serverErrors),
    internalErrors: first(p.internal),
    noAnswer: first(p.noAnswer),
    acceptedMutations: first(p.acceptedMutations),
    websocket: first(ws.problems),
    rawTcp: first(tcp.answers.filter((line) => /^HTTP\/\d\.\d 5/.test(line))),
  }).toEqual({ serverErrors: [], internalErrors: [], noAnswer: [], acceptedMutations: [], websocket: [], rawTcp: [] });
  expect(server.proc.exitCode).toBeNull();
  expect(server.logs.filter((l) => /"level":(50|60)/.test(l)).slice(0, 5)).toEqual([]);

  expect(diff(before, state)).toEqual([]);

  // What the run leaves is Apollo's cache of parsed documents (an LRU of ~30 MiB of serialized
  // documents; without it the same run left +1.4 MB); replaying cached documents must not grow at all.
  expect(after.heapMb).toBeLessThan(baseline.heapMb + 60);
  expect(afterReplay.heapMb).toBeLessThan(after.heapMb + 5);
}, 600_000);
