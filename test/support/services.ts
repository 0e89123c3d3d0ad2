// Private Redis and FerretDB processes for fault tests: each on its own free port, stopped and started
// again on the same port (clients reconnect to the same address), never the shared ones.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "../../src/platform/util";

export interface PrivateService {
  url: string;
  port: number;
  /** Starts the process (again) on the same port; resolves when it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL: an outage, not a clean shutdown. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

const FERRETDB_BIN = process.env.FERRETDB_BIN ?? join(homedir(), ".cache", "campus-live", "ferretdb-v1.24.2");

function service(port: number, url: string, dir: string, spawnIt: () => ChildProcess): PrivateService {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const kill = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    child = undefined;
  };
  return {
    url,
    port,
    async start() {
      if (child) throw new Error(`${url} is already running`);
      const c = (child = spawnIt());
      exited = new Promise((resolve) => c.once("exit", () => resolve()));
      await waitForPort(port, "127.0.0.1", 30_000);
    },
    kill,
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A redis-server of its own, persistent as production's must be (docs/operations.md, Redis requirements: AOF): every
 * write is fsynced to its append-only file, so a SIGKILL and restart keep what it had acknowledged.
 */
export async function privateRedis(): Promise<PrivateService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "cl-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always"];
  const s = service(port, `redis://127.0.0.1:${port}`, dir, () =>
    spawn("redis-server", [...args, "--dir", dir, "--loglevel", "warning"], { stdio: "ignore" }),
  );
  await s.start();
  return s;
}

/**
 * A FerretDB of its own on the SQLite handler in a temporary directory (no connections taken from the
 * shared PostgreSQL); its data survives a restart, as a database server's would.
 */
export async function privateFerretDB(): Promise<PrivateService> {
  try {
    accessSync(FERRETDB_BIN, constants.X_OK);
  } catch {
    throw new Error(`no FerretDB binary at ${FERRETDB_BIN}: scripts/services.sh builds it (needs Go), or set FERRETDB_BIN`);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "cl-ferretdb-"));
  const s = service(port, `mongodb://127.0.0.1:${port}/campus_live`, dir, () =>
    spawn(
      FERRETDB_BIN,
      [
        "--handler=sqlite",
        `--sqlite-url=file:${dir}/`,
        `--state-dir=${dir}`,
        `--listen-addr=127.0.0.1:${port}`,
        "--debug-addr=127.0.0.1:0",
        "--telemetry=disable",
        "--log-level=error",
      ],
      { stdio: "ignore" },
    ),
  );
  await s.start();
  return s;
}
