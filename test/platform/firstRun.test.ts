// `npm start` on a fresh machine with nothing configured: no MONGO_URL, no REDIS_URL, no JWT_SECRET,
// and mongod cannot be downloaded (offline, as on CI). The server serves from local services whose
// data folder (outside the work tree) keeps what was written across a restart.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogInDocument } from "../../operations/generated";
import { gql, rawPost } from "../support/client";
import { signUp } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

const folders: string[] = [];
afterAll(async () => {
  await stopAll();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const unusedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // the stand-in's PostgreSQL runs as the postgres user and keeps its data inside
  folders.push(dir);
  return dir;
};

/**
 * What a developer's shell holds on an offline machine: nothing of the project's configured. The
 * download site of mongodb-memory-server is a closed local port (so it is "offline" even on a
 * machine with internet) and its binary cache an empty folder.
 */
async function offlineEnv(dataDir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    ...deploymentEnv({
      NODE_ENV: "development",
      CAMPUS_LIVE_DATA_DIR: dataDir,
      MONGOMS_DOWNLOAD_MIRROR: `http://127.0.0.1:${await unusedPort()}`,
      MONGOMS_DOWNLOAD_DIR: join(dataDir, "no-mongod-here"),
    }),
  };
  delete env.MONGO_URL;
  delete env.REDIS_URL;
  delete env.JWT_SECRET;
  return env;
}

const me = (server: TestServer, token: string) => rawPost<{ me: { id: string } | null }>(server, JSON.stringify({ query: "{ me { id } }" }), token);

it("serves { me { id } } without MONGO_URL or REDIS_URL when offline, and keeps the data across a restart", async () => {
  const dataDir = tempDir("campus-live-data-");
  const env = await offlineEnv(dataDir);

  const started = Date.now();
  const first = await startServer(env);
  // Offline is seen at once: no wait for a download that cannot happen.
  expect(Date.now() - started).toBeLessThan(20_000);
  const logs = first.logs.join("\n");
  expect(logs).toContain("MONGO_URL not set: starting the local stand-in");
  expect(logs).toMatch(/REDIS_URL not set: (using the Redis that answers on 127\.0\.0\.1:6379|started a local redis-server)/);
  // Its data lives in the data folder, and the running service is recorded there for the seed.
  expect(existsSync(join(dataDir, "docdb", "pg", "PG_VERSION"))).toBe(true);
  expect(existsSync(join(dataDir, "mongo.json"))).toBe(true);

  const user = await signUp(first);
  expect((await me(first, user.token)).data).toEqual({ me: { id: user.id } });
  expect(await first.stop()).toBe(0);
  // The stand-in stopped with the server that started it.
  expect(existsSync(join(dataDir, "mongo.json"))).toBe(false);

  const second = await startServer(env);
  // The account is still there, and so is the development secret: the old token is still accepted.
  expect((await me(second, user.token)).data).toEqual({ me: { id: user.id } });
  const again = await gql(second, LogInDocument, { email: user.email, password: user.password });
  expect(again.data?.logIn.user.id).toBe(user.id);
  expect(await second.stop()).toBe(0);
}, 120_000);

/** Whether this process may make a network namespace (root on Linux, with unshare and ip). */
function canIsolateNetwork(): boolean {
  return spawnSync("unshare", ["-n", "ip", "link", "set", "lo", "up"], { stdio: "ignore" }).status === 0;
}

// Needs a network namespace (root, unshare and ip): reported as skipped where there is none, never
// skipped in CI (CI=true), where its absence fails the test.
const inNamespace = canIsolateNetwork() || process.env.CI ? it : it.skip;

inNamespace("on a machine with no network at all (no DNS, no Redis on 6379): a private redis-server keeps its data in the folder too", async () => {
  expect(canIsolateNetwork()).toBe(true);
  const dataDir = tempDir("campus-live-data-");
  const env = await offlineEnv(dataDir);
  delete env.MONGOMS_DOWNLOAD_MIRROR; // the real download site: unreachable in there
  // Inside a network namespace of its own, only loopback: the server and its client both run there.
  const helper = join(__dirname, "..", "..", "dist", "test", "support", "offlineMachine.js");
  const out = execFileSync("unshare", ["-n", "sh", "-c", 'ip link set lo up && exec "$0" "$1"', process.execPath, helper], {
    env: { ...env, PATH: process.env.PATH!, HOME: process.env.HOME! },
    encoding: "utf8",
    timeout: 90_000,
  });
  const seen = JSON.parse(out.trim().split("\n").pop()!);
  expect(seen).toEqual({
    userId: expect.any(String),
    before: seen.userId,
    after: seen.userId,
    exits: [0, 0],
    standIn: true,
    privateRedis: true,
    redisData: true,
  });
}, 120_000);
