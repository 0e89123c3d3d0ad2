// Private Redis and MongoDB stand-in processes for fault tests: each on its own free port, stopped and started
// again on the same port (clients reconnect to the same address), never the shared ones.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, waitForPort } from "../../src/platform/net";

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

const execFileAsync = promisify(execFile);
const SERVICES_SCRIPT = join(__dirname, "..", "..", "scripts", "services.sh");

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
 * A MongoDB stand-in of its own (FerretDB 2.5 on a private PostgreSQL cluster with DocumentDB, in a
 * temporary folder: scripts/services.sh `private-mongo`); its data survives a restart, as a database
 * server's would. `kill` is a crash of both: FerretDB SIGKILLed, PostgreSQL stopped immediately.
 */
export async function privateMongo(): Promise<PrivateService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "cl-mongo-"));
  const run = (command: "up" | "stop" | "kill") => execFileAsync("bash", [SERVICES_SCRIPT, "private-mongo", command, dir, String(port)]);
  const url = `mongodb://127.0.0.1:${port}/campus_live`;
  let running = false;
  const s: PrivateService = {
    url,
    port,
    async start() {
      if (running) throw new Error(`${url} is already running`);
      await run("up");
      await waitForPort(port, "127.0.0.1", 30_000);
      running = true;
    },
    async kill() {
      await run("kill");
      running = false;
    },
    async destroy() {
      await run("stop").catch(() => run("kill"));
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await s.start();
  return s;
}
