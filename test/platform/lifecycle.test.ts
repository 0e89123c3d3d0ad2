// Start-up checks and graceful shutdown, with the real process.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Agent, request } from "node:http";
import { MongoClient, ObjectId } from "mongodb";
import { CourseSeatsChangedDocument, EnrollDocument, MyEnrollmentsDocument } from "../../operations/generated";
import { connected, gql, source, subscribe, wsClient, wsExecute } from "../support/client";
import { createCourse, eventually, signUp, type TestUser } from "../support/factories";
import { deploymentEnv, runToExit, startServer, stopAll } from "../support/server";
import { MIN_NODE, nodeVersionProblem } from "../../src/platform/nodeVersion";

afterAll(stopAll);

const unusedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe("start-up", () => {
  it("refuses invalid configuration with one line per problem, naming the variable", async () => {
    const r = await runToExit(deploymentEnv({ PORT: "http", JWT_SECRET: "short", MAX_QUERY_DEPTH: "0" }));
    expect(r.code).toBe(78);
    const lines = r.stderr.trim().split("\n");
    expect(lines.map((l) => l.replace(/^config error: /, "").split(":")[0]).sort()).toEqual([
      "JWT_SECRET",
      "MAX_QUERY_DEPTH",
      "PORT",
    ]);
  });

  it("names MONGO_URL when MongoDB is unreachable, without a stack trace", async () => {
    const r = await runToExit(deploymentEnv({ MONGO_URL: `mongodb://127.0.0.1:${await unusedPort()}/x` }));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^startup failed: MongoDB: cannot connect to MONGO_URL=mongodb:\/\/127\.0\.0\.1:\d+\/x/);
    expect(r.ms).toBeLessThan(30_000);
  });

  it("names REDIS_URL when Redis is unreachable", async () => {
    const r = await runToExit(deploymentEnv({ REDIS_URL: `redis://127.0.0.1:${await unusedPort()}` }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^startup failed: Redis: cannot connect to REDIS_URL=redis:\/\/127\.0\.0\.1:\d+ /);
    expect(r.ms).toBeLessThan(30_000);
  });

  it("without MONGO_URL, offline, where no local database can start either, says in one line to set MONGO_URL", async () => {
    // An install without scripts/services.sh (dist/src and the dependencies only), so no stand-in;
    // mongodb-memory-server's download site a closed port and its cache empty: offline.
    const install = mkdtempSync(join(tmpdir(), "campus-live-install-"));
    const dataDir = mkdtempSync(join(tmpdir(), "campus-live-data-"));
    try {
      cpSync(join(__dirname, "..", "..", "dist", "src"), join(install, "dist", "src"), { recursive: true });
      writeFileSync(join(install, "package.json"), JSON.stringify({ name: "campus-live", private: true }));
      symlinkSync(join(__dirname, "..", "..", "node_modules"), join(install, "node_modules"));
      const env: Record<string, string> = deploymentEnv({
        NODE_ENV: "development",
        CAMPUS_LIVE_DATA_DIR: dataDir,
        MONGOMS_DOWNLOAD_MIRROR: `http://127.0.0.1:${await unusedPort()}`,
        MONGOMS_DOWNLOAD_DIR: join(dataDir, "no-mongod-here"),
      });
      delete env.MONGO_URL;
      const main = join(install, "dist", "src", "main.js");
      const r = await runToExit(env, 30_000, process.execPath, ["--eval", `require(${JSON.stringify(main)})`]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^startup failed: MongoDB: MONGO_URL is not set, mongodb-memory-server cannot download mongod .*Set MONGO_URL=mongodb:\/\//);
      // Offline is seen at once (no 25 s wait for a download that cannot happen).
      expect(r.ms).toBeLessThan(15_000);
    } finally {
      rmSync(install, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // Offline with the stand-in at hand, the server serves instead: test/platform/firstRun.test.ts.
});

describe("SIGTERM", () => {
  it("drains: open sockets are closed, a request in progress is answered, exit code 0", async () => {
    const server = await startServer(deploymentEnv({ NODE_ENV: "production" }));
    const user = await signUp(server);
    const client = wsClient(server, user.token, { lazy: false });
    await connected(client);
    const closed = new Promise<number>((resolve) => client.on("closed", (e) => resolve((e as { code: number }).code)));

    // A request whose body is still arriving when SIGTERM lands.
    const body = JSON.stringify({ query: "{ me { id } }" });
    const req = request(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${user.token}` },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      });
      req.on("error", reject);
    });
    req.write(body.slice(0, 5));
    await new Promise((r) => setTimeout(r, 200));
    const exit = server.stop();
    await new Promise((r) => setTimeout(r, 200));
    req.end(body.slice(5));

    expect(await answered).toEqual({ status: 200, text: JSON.stringify({ data: { me: { id: user.id } } }) + "\n" });
    expect(await exit).toBe(0);
    expect(await closed).toBe(1001);
    expect(server.logs.join("\n")).toContain('"msg":"stopped"');
  });
});

describe("SIGTERM under traffic, NODE_ENV=production", () => {
  it("answers every request sent before the signal, closes sockets with 1001, keeps every acknowledged write, exits 0 in time", async () => {
    const env = deploymentEnv({ NODE_ENV: "production", SHUTDOWN_TIMEOUT_MS: "10000" });
    const server = await startServer(env);
    const teacher = await signUp(server, "INSTRUCTOR");
    const courses = await Promise.all([0, 1, 2, 3].map(() => createCourse(server, teacher.token, { capacity: 200, units: 1 })));
    const students: TestUser[] = [];
    for (let i = 0; i < 120; i += 40) students.push(...(await Promise.all(Array.from({ length: 40 }, () => signUp(server)))));
    await Promise.all(students.map((s) => gql(server, MyEnrollmentsDocument, {}, s.token)));

    // Dashboards holding live seat counts.
    const dashboards = courses.map(() => wsClient(server, teacher.token, { lazy: false }));
    await Promise.all(dashboards.map(connected));
    const closeCodes = dashboards.map((c) => new Promise<number>((resolve) => c.on("closed", (e) => resolve((e as { code: number }).code))));
    const feeds = courses.map((c, i) => subscribe(dashboards[i], CourseSeatsChangedDocument, { courseId: c.id }));
    await Promise.all(feeds.map((f) => f.next()));

    // 16 keep-alive connections sending enrolls back to back, as a frontend's API gateway would.
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const work = students.flatMap((s) => courses.map((c) => ({ s, c })));
    const sent: Array<{ flushedAt: number; outcome: "answered" | "failed"; detail: string }> = [];
    const acknowledged = new Map<string, { course: string; student: string }>();
    let signalledAt = Infinity;
    let next = 0;
    const worker = async () => {
      while (next < work.length && server.proc.exitCode === null) {
        const { s, c } = work[next++];
        const body = JSON.stringify({ query: source(EnrollDocument), variables: { courseId: c.id } });
        const r = await post(agent, server.url, body, s.token);
        sent.push(r);
        if (r.outcome === "answered") {
          const enroll = (JSON.parse(r.detail) as { data?: { enroll?: { id: string } } }).data?.enroll;
          if (enroll) acknowledged.set(enroll.id, { course: c.id, student: s.id });
        }
        if (sent.length === 150 && signalledAt === Infinity) {
          signalledAt = performance.now();
          server.proc.kill("SIGTERM");
        }
      }
    };
    // And students whose app sends its operations over its socket (graphql-ws), back to back.
    const apps = students.slice(0, 4).map((s) => wsClient(server, s.token, { lazy: false }));
    await Promise.all(apps.map(connected));
    const socketSent: Array<{ sentAt: number; answered: boolean }> = [];
    const socketWorker = async (client: (typeof apps)[number]) => {
      while (server.proc.exitCode === null) {
        const pending = wsExecute(client, MyEnrollmentsDocument, {});
        const sentAt = performance.now();
        const r = await pending;
        socketSent.push({ sentAt, answered: Array.isArray(r.data?.myEnrollments) });
        if (!r.data) return; // the socket closed
      }
    };
    const started = performance.now();
    const exit = new Promise<number | null>((resolve) => server.proc.once("exit", (code) => resolve(code)));
    await Promise.all([...Array.from({ length: 16 }, worker), ...apps.map(socketWorker)]);
    const code = await exit;
    const tookMs = performance.now() - signalledAt;
    agent.destroy();

    expect(signalledAt).toBeLessThan(Infinity);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(5_000);
    expect(server.logs.join("\n")).toContain('"msg":"stopped"');
    // Every request whose bytes were on the wire before the signal got its answer (no reset).
    const before = sent.filter((r) => r.flushedAt < signalledAt);
    expect(before.length).toBeGreaterThanOrEqual(150);
    expect(before.filter((r) => r.outcome !== "answered")).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(150);
    // Over the sockets too: a mutation sent before the signal is answered before its socket closes.
    const socketBefore = socketSent.filter((r) => r.sentAt < signalledAt);
    expect(socketBefore.length).toBeGreaterThan(0);
    expect(socketBefore.filter((r) => !r.answered)).toEqual([]);
    expect(started).toBeLessThan(signalledAt);
    // The dashboards were told the server is going away (1001), so they reconnect elsewhere.
    expect(await Promise.all(closeCodes)).toEqual(courses.map(() => 1001));

    // Every acknowledged enrollment is in MongoDB, written by the stopping instance itself.
    const mongo = await MongoClient.connect(env.MONGO_URL);
    try {
      const stored = await mongo
        .db()
        .collection("enrollments")
        .find({ _id: { $in: [...acknowledged.keys()].map((id) => new ObjectId(id)) } })
        .toArray();
      expect(stored.length).toBe(acknowledged.size);
      for (const doc of stored) {
        const ack = acknowledged.get(doc._id.toHexString())!;
        expect({ course: doc.course.toHexString(), student: doc.student.toHexString() }).toEqual(ack);
      }
    } finally {
      await mongo.close();
    }
  }, 120_000);

  it("stops cleanly with WEB_CONCURRENCY=2: every worker drains and the primary exits 0", async () => {
    const server = await startServer(deploymentEnv({ NODE_ENV: "production", WEB_CONCURRENCY: "2" }));
    // Both workers serving (startServer returns at the first one's "listening").
    await eventually(async () => server.logs.join("\n").match(/"msg":"listening"/g)?.length ?? 0, (n) => n === 2);
    const user = await signUp(server);
    const client = wsClient(server, user.token, { lazy: false });
    await connected(client);
    const closed = new Promise<number>((resolve) => client.on("closed", (e) => resolve((e as { code: number }).code)));
    const t0 = performance.now();
    const code = await server.stop();
    if (code !== 0) console.log(server.logs.join("\n"));
    expect(code).toBe(0);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(await closed).toBe(1001);
    const logs = server.logs.join("\n");
    expect(logs.match(/"msg":"stopped"/g)).toHaveLength(2);
    expect(logs).toContain('"failed":0,"msg":"all workers stopped"');
  });
});

it("a signal during start-up: the start finishes, nothing listens, exit 0", async () => {
  const proc = spawn(process.execPath, [join(__dirname, "..", "..", "dist", "src", "main.js")], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...deploymentEnv({ NODE_ENV: "production" }), HOST: "127.0.0.1", PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    lines.push(line);
    if (line.includes('"msg":"mongo connected"')) proc.kill("SIGTERM"); // connected, not yet listening
  });
  const code = await new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
  expect(code).toBe(0);
  const log = lines.join("\n");
  expect(log).toContain('"msg":"shutting down"');
  expect(log).toContain('"msg":"stopped"');
  expect(log).not.toContain('"msg":"listening"');
});

/** One POST on a keep-alive agent: when its bytes were handed to the OS, and its answer or failure. */
function post(agent: Agent, url: string, body: string, token: string) {
  return new Promise<{ flushedAt: number; outcome: "answered" | "failed"; detail: string }>((resolve) => {
    let flushedAt = Infinity;
    const req = request(url, {
      agent,
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: `Bearer ${token}` },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ flushedAt, outcome: res.statusCode === 200 ? "answered" : "failed", detail: text }));
      res.on("error", (e) => resolve({ flushedAt, outcome: "failed", detail: e.message }));
    });
    req.on("error", (e) => resolve({ flushedAt, outcome: "failed", detail: e.message }));
    req.end(body, () => (flushedAt = performance.now()));
  });
}

describe("Node.js version", () => {
  it("package.json's engines.node says what the entry point checks", () => {
    const engines = (require("../../package.json") as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${MIN_NODE.join(".")}`);
    expect(nodeVersionProblem("24.9.0")).toBeNull();
    expect(nodeVersionProblem("25.0.1")).toBeNull();
    expect(nodeVersionProblem("24.8.9")).toMatch(/needs Node\.js >= 24\.9, not 24\.8\.9/);
  });

  it("an older Node.js gets one line naming what it needs and `npm start`, not a segmentation fault", async () => {
    const older = await olderNode();
    const r = await runToExit(deploymentEnv(), 20_000, older.execPath, older.args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^campus-live needs Node\\.js >= 24\\.9, not ${older.version.replace(/\./g, "\\.")}.*npm start`));
  });
});

/**
 * A Node.js older than the server needs: the machine's own when it has one (Debian's Node 20 here),
 * else this Node.js told to report an older version before the entry point runs.
 */
async function olderNode(): Promise<{ execPath: string; args: string[]; version: string }> {
  const candidates = [...(process.env.PATH ?? "").split(":").filter((d) => d && !d.includes("node_modules")).map((d) => join(d, "node")), "/usr/bin/node"];
  for (const execPath of candidates) {
    if (!existsSync(execPath)) continue;
    const version = execFileSync(execPath, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
    if (nodeVersionProblem(version)) return { execPath, args: [], version };
  }
  const version = "20.19.0";
  return { execPath: process.execPath, args: ["--eval", `Object.defineProperty(process.versions, "node", { value: "${version}" }); require(process.argv[1])`], version };
}
