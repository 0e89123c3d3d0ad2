// What the fuzz tests share: the server under fuzz and its clients, who calls (real and forged
// tokens), well-typed values with real ids, and sending HTTP cases and judging their answers.
import { buildClientSchema, getIntrospectionQuery, getNamedType, isInputObjectType, isScalarType, type GraphQLInputType, type IntrospectionQuery } from "graphql";
import { Redis } from "ioredis";
import jwt from "jsonwebtoken";
import { MongoClient } from "mongodb";
import { Pool } from "undici";
import { forEachConcurrently } from "../../src/platform/async";
import { deploymentEnv, startServer, stopAll, TEST_JWT_SECRET, type TestServer } from "../support/server";
import { tokenFor } from "../support/tokens";
import { json, pick, rootFields, typedValue, type HttpCase, type RootField, type Rng } from "./fuzzCases";
import { buildWorld, PERSONAS, type World } from "./world";

// FUZZ_SEED replays a run; FUZZ_SCALE (default 1) multiplies the volume; FUZZ_ONLY=<category,...>
// keeps some kinds of abuse; FUZZ_DEBUG=1 logs every request on the server. The figures are printed.
export const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
export const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const CONCURRENCY = 16;
export const BODY_LIMIT = 1_048_576;

/** The server under fuzz, the world made on it, its schema's root fields (introspected), and clients of its stores. */
export interface Fuzz {
  server: TestServer;
  world: World;
  roots: RootField[];
  mongo: MongoClient;
  redis: Redis;
  pool: Pool;
}

/** beforeAll: fills `f` as it goes, so stopFuzz closes whatever was opened if a step fails. */
export async function startFuzz(f: Partial<Fuzz>): Promise<void> {
  // The inspector (loopback, any free port) lets the test run a full GC before reading memory.
  f.server = await startServer(deploymentEnv({ NODE_OPTIONS: "--inspect=127.0.0.1:0", ...(process.env.FUZZ_DEBUG ? { LOG_LEVEL: "debug" } : {}) }));
  f.world = await buildWorld(f.server, "fuzz");
  f.pool = new Pool(`http://127.0.0.1:${f.server.port}`, { connections: CONCURRENCY, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const r = await f.pool.request({ path: "/graphql", method: "POST", headers: { "content-type": "application/json" }, body: json({ query: getIntrospectionQuery() }) });
  const schema = buildClientSchema(((await r.body.json()) as { data: IntrospectionQuery }).data);
  f.roots = rootFields(schema);
  f.mongo = await MongoClient.connect(f.server.env.MONGO_URL, { maxPoolSize: 2 });
  f.redis = new Redis(f.server.env.REDIS_URL);
}

/** afterAll. */
export async function stopFuzz(f: Partial<Fuzz>): Promise<void> {
  await f.pool?.close();
  f.redis?.disconnect();
  await f.mongo?.close();
  await stopAll();
}

// --- who calls ----------------------------------------------------------------------------------

export const FORGED_TOKENS = (world: World): string[] => [
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

export function authHeader(world: World, r: Rng): Record<string, string> {
  const x = r();
  if (x < 0.08) return { authorization: pick(r, FORGED_TOKENS(world)) };
  const persona = pick(r, PERSONAS);
  const token = world.tokens[persona];
  return token ? { authorization: `Bearer ${token}` } : {};
}
export const JSON_HEADERS = { "content-type": "application/json" };
export const post = (world: World, category: string, body: string | (() => string | Buffer), r: Rng): HttpCase & { lazy?: () => string | Buffer } => ({
  category,
  method: "POST",
  path: "/graphql",
  headers: { ...JSON_HEADERS, ...authHeader(world, r) },
  ...(typeof body === "function" ? { lazy: body } : { body }),
  mutation: typeof body === "string" && /"query":"\s*mutation/.test(body),
});

// --- values -------------------------------------------------------------------------------------

/** Real ids by argument name, so only the fuzzed part of a request can be wrong. */
function realLeaf(world: World, name: string, scalar: string): unknown {
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
export const NOWHERE = "000000000000000000000000";

export function validVars(world: World, r: Rng, root: RootField, leaf: (name: string, scalar: string) => unknown = (name, scalar) => realLeaf(world, name, scalar)): Record<string, unknown> {
  return Object.fromEntries(root.field.args.map((a) => [a.name, typedValue(r, a.type, leaf, a.name)]));
}

/** Every String and ID argument (and input field) set to `s`; other arguments well-typed. */
export function hostileVars(world: World, r: Rng, root: RootField, s: unknown): Record<string, unknown> {
  return validVars(world, r, root, () => s);
}

export const queries = (roots: RootField[]) => roots.filter((x) => x.kind === "query");
export const httpRoots = (roots: RootField[]) => roots.filter((x) => x.kind !== "subscription");

export function stringLeaves(type: GraphQLInputType): boolean {
  const t = getNamedType(type);
  if (isScalarType(t)) return t.name === "String" || t.name === "ID";
  if (isInputObjectType(t)) return Object.values(t.getFields()).some((f) => stringLeaves(f.type));
  return false;
}

// --- running them -------------------------------------------------------------------------------

export type Case = HttpCase & { lazy?: () => string | Buffer };

export interface Result {
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

async function send(pool: Pool, c: Case): Promise<Result> {
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

export async function runAll(pool: Pool, cases: Case[]): Promise<Result[]> {
  const results: Result[] = [];
  // send() never rejects: it turns a failure into a Result.
  await forEachConcurrently(cases, CONCURRENCY, async (c) => void results.push(await send(pool, c)), () => undefined);
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

/**
 * What went wrong among the answers. No 5xx is intended on these paths: the only 5xx the server sends
 * on purpose is /readyz's 503 while MongoDB or Redis is unreachable (both are up here, so /readyz must answer 200).
 */
export function check(server: TestServer, results: Result[]): Problems {
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
