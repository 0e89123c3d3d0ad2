// The deployment docker-compose.yml describes, without Docker: two instances started from a
// production-only install (DEPLOY_APP_DIR, made by scripts/deploy-check.sh the way the Dockerfile's
// stages make the image) with compose's environment, behind nginx running deploy/nginx.conf.
// Clients go through the proxy only; an instance is addressed directly only where a step needs one on
// purpose: each instance's metrics listener (which the proxy never serves), and a mutation on the
// instance that does NOT hold a given socket.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "graphql-ws";
import { CourseSeatsChangedDocument, EnrollDocument, LogInDocument, MeDocument } from "../../operations/generated";
import { topics } from "../../src/events/catalogue";
import { gql, rawPost, subscribe, wsClient, connected, type LiveSubscription } from "../support/client";
import type { Endpoint } from "../support/cluster";
import { createCourse, eventually, signUp, type TestUser } from "../support/factories";
import { waitForSubscribers } from "../support/redis";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { NGINX_CONF, startNginx, type RunningNginx } from "./nginx";

const APP_DIR = process.env.DEPLOY_APP_DIR;
if (!APP_DIR) throw new Error("DEPLOY_APP_DIR not set: run this with `npm run test:deploy` (scripts/deploy-check.sh makes the production install)");

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Compose's app environment (plus the Dockerfile's runtime ENV) on one fresh database and Redis prefix. */
function productionEnv(): Record<string, string> {
  const env = deploymentEnv({
    NODE_ENV: "production",
    TRUST_PROXY: "true",
    JWT_SECRET: randomBytes(36).toString("base64"),
    MALLOC_MMAP_THRESHOLD_: "131072",
    NODE_OPTIONS: "--max-semi-space-size=64",
    // A free port each: both instances share this host's loopback, where compose gives each container its own.
    METRICS_PORT: "0",
  });
  // Test-only knobs compose does not set: production's defaults apply (argon2 at 19 MiB, sign-up limits).
  delete env.PASSWORD_HASH_MEMORY_KIB;
  delete env.SIGNUP_LIMIT_PER_IP;
  return env;
}

let env: Record<string, string>;
let instances: [TestServer, TestServer];
let proxy: RunningNginx;
let entry: Endpoint;
const clients: Client[] = [];

beforeAll(async () => {
  env = productionEnv();
  const start = () => startServer(env, { main: join(APP_DIR, "dist", "src", "main.js"), cwd: APP_DIR });
  // One after the other, as startCluster does: the first creates the indexes and the admin.
  const first = await start();
  instances = [first, await start()];
  proxy = await startNginx([instances[0].port, instances[1].port]);
  entry = { url: proxy.url, wsUrl: proxy.wsUrl, env };
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stopAll();
  await proxy?.stop();
});

/** The instance's graphql-ws open sockets gauge, read from its own metrics listener (never behind the proxy). */
async function openSockets(s: TestServer): Promise<number> {
  const text = await (await fetch(s.metricsUrl)).text();
  const m = /^graphql_ws_open_sockets (\S+)$/m.exec(text);
  if (!m) throw new Error(`graphql_ws_open_sockets not in ${s.metricsUrl}`);
  return Number(m[1]);
}

/** The parsed JSON log lines of an instance. */
const logEntries = (s: TestServer): { msg?: string; [k: string]: unknown }[] =>
  s.logs
    .join("\n")
    .split("\n")
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });

/** The groups of the first access log line matching `pattern`, once nginx has written it (within 2 s). */
async function loggedLine(pattern: RegExp): Promise<string[]> {
  const log = await eventually(
    async () => proxy.accessLog(),
    (text) => pattern.test(text),
    2000,
  ).catch(() => proxy.accessLog());
  return pattern.exec(log)?.slice(1) ?? [`no line matching ${pattern} in the access log:\n${log}`];
}

const ok = <T>(r: { data?: T | null; errors?: unknown }): T => {
  if (!r.data) throw new Error(`request failed: ${JSON.stringify(r.errors)}`);
  return r.data;
};

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ]);
}

test("nginx runs deploy/nginx.conf with only the addresses, pid and log files changed", () => {
  const original = readFileSync(NGINX_CONF, "utf8").split("\n");
  const generated = readFileSync(join(proxy.prefix, "nginx.conf"), "utf8").split("\n");
  const { added, substitutions } = proxy.config;

  // The added lines: temp file folders (relative to the prefix), right after `http {`, nothing else.
  const http = original.indexOf("http {");
  expect(generated.slice(http + 1, http + 1 + added.length)).toEqual(added);
  for (const line of added) expect(line).toMatch(/^ {4}(client_body|proxy|fastcgi|uwsgi|scgi)_temp_path [a-z_]+_temp;$/);
  const rest = [...generated.slice(0, http + 1), ...generated.slice(http + 1 + added.length)];

  expect(rest).toHaveLength(original.length);
  const changed = original.flatMap((line, i) => (line === rest[i] ? [] : [{ line, now: rest[i] }]));
  expect(changed).toHaveLength(substitutions.length);
  for (const { line, now } of changed) {
    const s = substitutions.find((x) => line.includes(x.from));
    expect(s).toBeDefined();
    expect(now).toBe(line.replace(s!.from, s!.to));
  }
  // And what the instances and the test reach is what those lines now name.
  expect(rest.join("\n")).toContain(`server 127.0.0.1:${instances[0].port} max_fails=3`);
  expect(rest.join("\n")).toContain(`server 127.0.0.1:${instances[1].port} max_fails=3`);
  expect(rest.join("\n")).toContain(`listen 127.0.0.1:${proxy.port} default_server;`);
});

test("the proxy serves /readyz and keeps /metrics private", async () => {
  const ready = await fetch(`http://127.0.0.1:${proxy.port}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready" });

  const metrics = await fetch(`http://127.0.0.1:${proxy.port}/metrics`);
  expect(metrics.status).toBe(404);
  expect(await metrics.text()).not.toContain("graphql_ws_open_sockets");
  // Answered by nginx itself, not by an instance (no upstream address in deploy/nginx.conf's log format).
  // nginx writes the line after sending the response, hence the wait.
  expect(await loggedLine(/"GET \/metrics HTTP\/1\.1" (\d+) \d+ rt=\S+ urt=(\S+) up=(\S+) /)).toEqual(["404", "-", "-"]);
  // While each instance does serve it, on its own metrics listener.
  expect(await openSockets(instances[0])).toBe(0);
  expect(await openSockets(instances[1])).toBe(0);
});

let instructor: TestUser;
let student: TestUser;

test("sign-up, log-in and a query through the proxy", async () => {
  [instructor, student] = await Promise.all([signUp(entry, "INSTRUCTOR"), signUp(entry, "STUDENT")]);
  const login = await gql(entry, LogInDocument, { email: student.email, password: student.password });
  expect(login.status).toBe(200);
  const token = ok(login).logIn.token;
  const me = await gql(entry, MeDocument, {}, token);
  expect(me.status).toBe(200);
  expect(ok(me).me).toMatchObject({ id: student.id, email: student.email, role: "STUDENT" });
  // A token one instance signed is accepted by the other (one JWT secret): each answers `me` directly.
  for (const s of instances) expect(ok(await gql(s, MeDocument, {}, instructor.token)).me?.id).toBe(instructor.id);
  // Those requests went through nginx to the instances.
  expect(await loggedLine(/"POST \/graphql HTTP\/1\.1" (200) .* up=(127\.0\.0\.1):\d+ /)).toEqual(["200", "127.0.0.1"]);
});

test("production: introspection is refused", async () => {
  const introspection = await rawPost<{ __schema: unknown }>(entry, JSON.stringify({ query: "{ __schema { types { name } } }" }));
  expect(introspection.data ?? null).toBeNull();
  expect(introspection.errors?.length).toBeGreaterThan(0);
  expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
});

test("production: GET /graphql from a browser gets no landing page", async () => {
  const page = await fetch(entry.url, { headers: { accept: "text/html" } });
  const body = await page.text();
  expect(page.status).not.toBe(200);
  expect(page.headers.get("content-type") ?? "").not.toContain("text/html");
  expect(body).not.toMatch(/<html|sandbox/i);
});

test("production: the web client at /app/ through the proxy, index.html for a screen's path, its JavaScript gzipped and cached", async () => {
  const origin = new URL(entry.url).origin;
  const page = await fetch(`${origin}/app/quiz/some-quiz/projector`);
  expect(page.status).toBe(200);
  expect(page.headers.get("cache-control")).toBe("no-cache");
  const html = await page.text();
  const script = /<script type="module" crossorigin src="(\/app\/assets\/[\w.-]+\.js)"/.exec(html)?.[1];
  expect(script).toBeDefined();
  const js = await fetch(origin + script!, { headers: { "accept-encoding": "gzip" } });
  expect(js.status).toBe(200);
  expect(js.headers.get("content-encoding")).toBe("gzip");
  expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  expect((await js.text()).length).toBeGreaterThan(10_000);
  expect((await fetch(`${origin}/app/assets/missing.js`)).status).toBe(404);
});

let course: { id: string };
let client: Client;
let sub: LiveSubscription<{ courseSeatsChanged: { courseId: string; enrolledCount: number; seatsLeft: number } }>;
let holder: TestServer;
let other: TestServer;
const closeCodes: number[] = [];

test("a subscription through the proxy receives an event caused on the other instance", async () => {
  course = await createCourse(entry, instructor.token, { capacity: 5 });
  client = wsClient(entry, instructor.token, {
    lazy: false,
    // A client that reconnects, quickly, to the same URL: the proxy.
    retryAttempts: 5,
    retryWait: () => sleep(200),
  });
  clients.push(client);
  client.on("closed", (e) => closeCodes.push((e as { code: number }).code));
  await within(connected(client), 5000, "socket through the proxy");

  sub = subscribe(client, CourseSeatsChangedDocument, { courseId: course.id });
  expect((await sub.next(5000)).courseSeatsChanged).toMatchObject({ courseId: course.id, enrolledCount: 0, seatsLeft: 5 });

  // Which instance nginx gave the socket to: exactly one of them counts it.
  const counts = await Promise.all(instances.map(openSockets));
  expect([...counts].sort()).toEqual([0, 1]);
  holder = instances[counts.indexOf(1)];
  other = instances[counts.indexOf(0)];

  await waitForSubscribers(env, topics.courseSeats(course.id));
  ok(await gql(other, EnrollDocument, { courseId: course.id }, student.token));
  expect((await sub.next(5000)).courseSeatsChanged).toMatchObject({ courseId: course.id, enrolledCount: 1, seatsLeft: 4 });
});

test("SIGTERM to the instance holding the socket: the client reconnects through the proxy to the other and resubscribes", async () => {
  expect(holder).toBeDefined();
  const reconnected = new Promise<void>((resolve) => {
    const off = client.on("connected", () => {
      off();
      resolve();
    });
  });

  const stopping = Date.now();
  const code = await within(holder.stop(), 15_000, "the stopped instance's exit");
  const stopMs = Date.now() - stopping;
  expect(code).toBe(0);
  expect(logEntries(holder).some((e) => e.msg === "stopped")).toBe(true);
  expect(stopMs).toBeLessThan(10_000);

  await within(reconnected, 5000, "reconnect through the proxy");
  expect(closeCodes).toEqual([1001]);
  expect(await openSockets(other)).toBe(1);

  // On the new socket the subscription starts again: current counts first...
  expect((await sub.next(5000)).courseSeatsChanged).toMatchObject({ courseId: course.id, enrolledCount: 1, seatsLeft: 4 });
  // ...then changes, here one made through the proxy (which now has one instance left).
  await waitForSubscribers(env, topics.courseSeats(course.id));
  const second = await signUp(entry);
  ok(await gql(entry, EnrollDocument, { courseId: course.id }, second.token));
  expect((await sub.next(5000)).courseSeatsChanged).toMatchObject({ courseId: course.id, enrolledCount: 2, seatsLeft: 3 });
  expect(sub.errors).toEqual([]);
});
