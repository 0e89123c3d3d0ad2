// `npm run seed` fills the server's database with demo data worth exploring, once, and prints the
// log-ins and three operations to paste, which work as printed.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "graphql";
import { LogInDocument, UsersDocument } from "../../operations/generated";
import { connected, gql, rawPost, subscribe, wsClient } from "../support/client";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

const run = promisify(execFile);
const SEED = join(__dirname, "..", "..", "dist", "scripts", "seed.js");
const folders: string[] = [];
afterAll(async () => {
  await stopAll();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const seed = (env: Record<string, string>) => run(process.execPath, [SEED], { env: { PATH: process.env.PATH!, ...env } });

/** The numbered examples the seed prints: each one's title, header (if any) and operation text. */
function examples(stdout: string): Array<{ title: string; token?: string; operation: string }> {
  const out: Array<{ title: string; token?: string; operation: string }> = [];
  for (const line of stdout.split("\n")) {
    const title = /^\d\. (.*)$/.exec(line);
    if (title) out.push({ title: title[1], operation: "" });
    else if (out.length && /^ {3}Authorization: Bearer (\S+)$/.test(line)) out[out.length - 1].token = line.trim().split(" ")[2];
    else if (out.length && line.startsWith("    ")) out[out.length - 1].operation += line + "\n";
  }
  return out;
}

type Demo = {
  courses: { edges: Array<{ node: { code: string; capacity: number; enrolledCount: number; waitlistCount: number; seatsLeft: number } }> };
  officeHoursQueue: { waitingCount: number; inMeetingCount: number; status: { staffOnDuty: Array<{ staff: { name: string } }> }; entries: unknown[] };
  leaderboard: { playerCount: number; entries: Array<{ rank: number; score: number; player: { name: string } }> };
  attendanceStats: { lessons: number; expected: number; present: number; absent: number; late: number };
};

/** Runs the printed examples against the server and checks what they show. */
async function examplesWork(server: TestServer, stdout: string) {
  const [logIn, demo, live] = examples(stdout);
  expect(examples(stdout)).toHaveLength(3);

  const student = await rawPost<{ logIn: { token: string; user: { role: string } } }>(server, JSON.stringify({ query: logIn.operation }));
  expect(student.errors).toBeUndefined();
  expect(student.data!.logIn.user.role).toBe("STUDENT");

  expect(demo.token).toBeDefined();
  const shown = await rawPost<Demo>(server, JSON.stringify({ query: demo.operation }), demo.token);
  expect(shown.errors).toBeUndefined();
  const byCode = Object.fromEntries(shown.data!.courses.edges.map((e) => [e.node.code, e.node]));
  expect(Object.keys(byCode).sort()).toEqual(["CS101", "HIST150", "MATH201"]);
  // One course full, with a waitlist.
  expect(byCode.MATH201).toMatchObject({ enrolledCount: byCode.MATH201.capacity, seatsLeft: 0, waitlistCount: 3 });
  expect(byCode.CS101).toMatchObject({ enrolledCount: 12, waitlistCount: 0 });
  // Staff on duty with a line.
  expect(shown.data!.officeHoursQueue).toMatchObject({ waitingCount: 4, inMeetingCount: 1 });
  expect(shown.data!.officeHoursQueue.status.staffOnDuty.map((d) => d.staff.name).sort()).toEqual(["Alan Turing", "Grace Hopper"]);
  // A live quiz with answers.
  expect(shown.data!.leaderboard.playerCount).toBe(8);
  expect(shown.data!.leaderboard.entries[0].score).toBeGreaterThan(0);
  // A week of registers: 5 school days x 3 periods x 2 classes, with absences and late arrivals.
  expect(shown.data!.attendanceStats.lessons).toBe(30);
  expect(shown.data!.attendanceStats.expected).toBe(300);
  expect(shown.data!.attendanceStats.absent).toBeGreaterThan(0);
  expect(shown.data!.attendanceStats.late).toBeGreaterThan(0);

  // The subscription, with the same header: the line's snapshot first, then a change.
  const client = wsClient(server, demo.token, { lazy: false });
  try {
    await connected(client);
    const feed = subscribe(client, parse(live.operation) as never);
    const first = (await feed.next()) as { queueChanged: { waitingCount: number; version: number } };
    expect(first.queueChanged.waitingCount).toBe(4);
    const joined = await rawPost(
      server,
      JSON.stringify({ query: `mutation { joinQueue(courseId: ${/courseId: ("\w+")/.exec(live.operation)![1]}, question: "Is the lab open on Friday?") { status } }` }),
      (await gql(server, LogInDocument, { email: "student9@campus.local", password: "campus-live-demo" })).data!.logIn.token,
    );
    expect(joined.errors).toBeUndefined();
    const next = (await feed.next()) as { queueChanged: { waitingCount: number; version: number } };
    expect(next.queueChanged.waitingCount).toBe(5);
    expect(next.queueChanged.version).toBeGreaterThan(first.queueChanged.version);
  } finally {
    await client.dispose();
  }
}

it("fills the database once with demo data; the printed log-ins and examples work as printed", async () => {
  const env = deploymentEnv();
  const first = await seed(env);
  expect(first.stdout).toMatch(/^seed: created 26 accounts; CS101 \(12 enrolled\); MATH201 \(6 enrolled, 3 on the waitlist\); .*office hours.*live quiz.*Riverside School/m);
  const second = await seed(env);
  expect(second.stdout).toContain("seed: nothing to do: the demo data is already there (nothing was changed)");
  expect(second.stderr).toBe("");

  const server = await startServer(env);
  const admin = await gql(server, LogInDocument, { email: "admin@campus.local", password: "campus-live-demo" });
  expect(admin.data!.logIn.user.role).toBe("ADMIN");
  const students = await gql(server, UsersDocument, { first: 100, role: "STUDENT" }, admin.data!.logIn.token);
  expect(students.data!.users.edges).toHaveLength(20);
  await examplesWork(server, second.stdout);
}, 90_000);

it("with nothing configured, fills the database of the server running on the local services", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "campus-live-data-"));
  chmodSync(dataDir, 0o755); // the stand-in's PostgreSQL runs as the postgres user and keeps its data inside
  folders.push(dataDir);
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  // As firstRun.test.ts: no MONGO_URL, REDIS_URL nor JWT_SECRET, and offline.
  const env: Record<string, string> = deploymentEnv({
    NODE_ENV: "development",
    CAMPUS_LIVE_DATA_DIR: dataDir,
    MONGOMS_DOWNLOAD_MIRROR: `http://127.0.0.1:${closed}`,
    MONGOMS_DOWNLOAD_DIR: join(dataDir, "no-mongod-here"),
  });
  delete env.MONGO_URL;
  delete env.REDIS_URL;
  delete env.JWT_SECRET;
  const server = await startServer(env);

  const first = await seed(env);
  expect(first.stdout).toMatch(/^seed: created 26 accounts;/m);
  // The running server sees it at once, and accepts the printed ADMIN token (the data folder's secret).
  await examplesWork(server, first.stdout);
  const second = await seed(env);
  expect(second.stdout).toContain("seed: nothing to do");
  expect(await server.stop()).toBe(0);
}, 120_000);

it("refuses to run in production", async () => {
  await expect(seed(deploymentEnv({ NODE_ENV: "production" }))).rejects.toMatchObject({ code: 78 });
});
