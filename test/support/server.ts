// Starts the real server as a child process (the way it runs in production) against the real
// MongoDB-compatible server and Redis from MONGO_URL / REDIS_URL.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret-0123";
export const ADMIN = { email: "admin@campus.test", password: "admin-password-123" };

export interface TestServer {
  url: string;
  wsUrl: string;
  port: number;
  /** The metrics listener's /metrics (its own port, loopback). */
  metricsUrl: string;
  /** Environment shared by every instance of one deployment (same database and Redis prefix). */
  env: Record<string, string>;
  proc: ChildProcess;
  logs: string[];
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

/** The repository root, whether this file runs from test/ (Jest) or dist/test/ (benchmarks). */
function repoRoot(dir = __dirname): string {
  return existsSync(join(dir, "package.json")) ? dir : repoRoot(dirname(dir));
}
const MAIN = join(repoRoot(), "dist", "src", "main.js");
const running = new Set<TestServer>();

/** A fresh deployment: its own database and Redis prefix, so test files never see each other's data. */
export function deploymentEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const id = randomBytes(5).toString("hex");
  const mongo = new URL(process.env.MONGO_URL!);
  mongo.pathname = `/t_${id}`;
  return {
    MONGO_URL: mongo.toString(),
    REDIS_URL: process.env.REDIS_URL!,
    REDIS_PREFIX: `t:${id}:`,
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    PASSWORD_HASH_MEMORY_KIB: "8192",
    SIGNUP_LIMIT_PER_IP: "100000",
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    METRICS_PORT: "0",
    ...overrides,
  };
}

export interface StartOptions {
  /** The entry point to run; the work tree's dist/src/main.js by default (another install's, e.g.). */
  main?: string;
  /** The child's working directory; the current one by default. */
  cwd?: string;
}

export async function startServer(env: Record<string, string> = deploymentEnv(), options: StartOptions = {}): Promise<TestServer> {
  const proc = spawn(process.execPath, [options.main ?? MAIN], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, HOST: "127.0.0.1", PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  proc.stderr!.on("data", (d) => logs.push(String(d)));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));

  const { port, metricsPort } = await new Promise<{ port: number; metricsPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL"); // never leave a half-started server behind
      reject(new Error(`server did not start:\n${logs.join("")}`));
    }, 30_000);
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line);
        if (entry.msg === "listening") {
          clearTimeout(timer);
          resolve({ port: entry.port, metricsPort: entry.metricsPort });
        }
      } catch {
        /* not a log line */
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join("\n")}`));
    });
  });

  const server: TestServer = {
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    port,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    env,
    proc,
    logs,
    async stop() {
      running.delete(server);
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill("SIGTERM");
      return exited;
    },
    async kill() {
      running.delete(server);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
  running.add(server);
  return server;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** Runs the server until it exits by itself (start-up failures); resolves with what it printed. */
export function runToExit(
  env: Record<string, string>,
  timeoutMs = 40_000,
  execPath = process.execPath,
  nodeArgs: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const proc = spawn(execPath, [...nodeArgs, MAIN], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d) => (stdout += d));
  proc.stderr!.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) =>
    proc.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}
