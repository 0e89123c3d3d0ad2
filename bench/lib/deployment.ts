// The environment every benchmark's server runs with: production settings as `npm start` uses them
// (BENCH_SERVER_NODE_OPTIONS replaces its Node options), a fresh database and Redis prefix, and no
// sign-up limit (the set-ups create thousands of accounts from one address).
import { loadConfig } from "../../src/platform/config";
import { deploymentEnv } from "../../test/support/server";
import { PROFILE_NODE_OPTIONS } from "./profiler";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The production process settings of the Dockerfile and `npm start`: a fixed glibc mmap threshold
 * (large buffers, such as argon2's, go back to the OS when freed instead of bloating RSS) and a
 * 64 MB V8 semi-space (less GC work and fewer short-lived objects promoted under load;
 * docs/benchmarks.md has the figures).
 */
export const SERVER_ENV = { MALLOC_MMAP_THRESHOLD_: "131072", NODE_OPTIONS: (process.env.BENCH_SERVER_NODE_OPTIONS ?? "--max-semi-space-size=64") + PROFILE_NODE_OPTIONS };

export function benchDeploymentEnv(overrides: Record<string, string> = {}): Record<string, string> {
  // One OBSERVER account holds every dashboard of a run: more sockets than the per-account cap allows.
  const env = deploymentEnv({ NODE_ENV: "production", LOG_LEVEL: "info", ...SERVER_ENV, SIGNUP_LIMIT_PER_IP: "1000000", MAX_SOCKETS_PER_ACCOUNT: "10000", ...overrides });
  // The tests' cheaper password hash is not production's: sign-ups hash as a deployment does.
  if (overrides.PASSWORD_HASH_MEMORY_KIB === undefined) delete env.PASSWORD_HASH_MEMORY_KIB;
  return env;
}

/**
 * WEB_CONCURRENCY for a benchmark's server: BENCH_WORKERS when given, else nothing, so the server
 * runs with the production default.
 */
export function workersEnv(workers: number | undefined): Record<string, string> {
  return workers === undefined ? {} : { WEB_CONCURRENCY: String(workers) };
}

/** How many worker processes a server started with `env` runs (WEB_CONCURRENCY as the server resolves it). */
export function serverWorkers(env: Record<string, string>): number {
  return loadConfig(env).workers;
}

/** With BENCH_SERVER_LOG_DIR set, writes a deployment's log lines to <dir>/<name>.log (for reading after a run). */
export function saveServerLog(server: { logs: string[] }, name: string): void {
  const dir = process.env.BENCH_SERVER_LOG_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.log`), server.logs.join("\n"));
}
