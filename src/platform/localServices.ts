// Local services for `npm start` and `npm run seed` with nothing configured (never in production):
// the processes they start keep their data in one folder outside the work tree (localDataDir() in
// config.ts), and a state file there lets the second process (the seed while the server runs) use
// the first one's service instead of starting another on the same files.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";

/** What `<data folder>/<name>.json` records of a running local service. */
interface ServiceState {
  url: string;
  /** The process that started the service and stops it. */
  owner: number;
  /** The service's own process. */
  pid: number;
}

export interface LocalService {
  url: string;
  /** Stops the service if this process started it (a reused one is left to its owner). */
  stop(): Promise<void>;
}

/** The repository (or install) root: where package.json and scripts/ are, from src/ or dist/src/. */
export function packageRoot(dir = __dirname): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json")) && existsSync(join(d, "scripts"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether host:port accepts a TCP connection within `timeoutMs` (a failed name lookup answers at once). */
export function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

/**
 * The service `name` that another process of this data folder started and still runs, if any. A
 * service left behind by a process that died (SIGKILL) is stopped, so that a new one can take its files.
 */
export async function runningLocalService(dir: string, name: string, binaries: string[]): Promise<string | undefined> {
  const file = join(dir, `${name}.json`);
  let state: ServiceState;
  try {
    state = JSON.parse(readFileSync(file, "utf8")) as ServiceState;
  } catch {
    return undefined;
  }
  if (isAlive(state.owner) && state.owner !== process.pid && (await answers("127.0.0.1", portOf(state.url), 1000))) return state.url;
  const command = isAlive(state.pid) ? commandLine(state.pid) : "";
  if (binaries.some((b) => command.includes(b))) {
    signal(state.pid, "SIGTERM");
    for (let i = 0; i < 100 && isAlive(state.pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(state.pid)) signal(state.pid, "SIGKILL");
  }
  rmSync(file, { force: true });
  return undefined;
}

/**
 * Records a service this process started and stops (`pid`, answering at `url`) for the other
 * processes of the data folder; the returned function forgets it (also done when this process exits).
 */
export function recordLocalService(dir: string, name: string, url: string, pid: number): () => void {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ url, owner: process.pid, pid } satisfies ServiceState));
  const forget = () => {
    process.removeListener("exit", forget);
    try {
      const state = JSON.parse(readFileSync(file, "utf8")) as ServiceState;
      if (state.owner === process.pid) rmSync(file, { force: true });
    } catch {
      /* none */
    }
  };
  process.once("exit", forget);
  return forget;
}

/** Signals a service and whatever it started (its process group: a build in progress, say). */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/**
 * Starts `command` as a local service of the data folder: its output goes to `<dir>/<name>.log`; it
 * runs in a process group of its own, so a Ctrl-C in the terminal reaches the server only, which
 * still writes what it holds before it stops the service; it is stopped when this process exits.
 * Resolves once it accepts connections on `port`; rejects with the last line it printed if it exits
 * first or is not ready within `readyMs`.
 */
export async function startLocalService(opts: {
  dir: string;
  name: string;
  command: string;
  args: string[];
  port: number;
  url: string;
  readyMs: number;
  env?: NodeJS.ProcessEnv;
}): Promise<LocalService> {
  const { dir, name, port, url } = opts;
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, `${name}.log`);
  const out = openSync(logFile, "w");
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, { detached: true, stdio: ["ignore", out, out], env: opts.env });
  } finally {
    closeSync(out);
  }
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => ((exited = true), resolve()));
    child.once("error", () => ((exited = true), resolve()));
  });
  child.unref();
  let forget = () => {};
  const kill = () => {
    if (!exited && child.pid) signal(child.pid, "SIGTERM");
    forget();
  };
  process.once("exit", kill);

  const deadline = Date.now() + opts.readyMs;
  while (!(await answers("127.0.0.1", port, 500))) {
    if (exited || Date.now() > deadline) {
      kill();
      const last = lastLine(logFile);
      throw new Error(exited ? `${name} exited${last ? `: ${last}` : ""}` : `${name} was not ready within ${opts.readyMs / 1000} s (see ${logFile})`);
    }
    await Promise.race([exit, new Promise((r) => setTimeout(r, 100))]);
  }
  forget = recordLocalService(dir, name, url, child.pid!);
  return {
    url,
    async stop() {
      process.removeListener("exit", kill);
      kill();
      await Promise.race([exit, new Promise((r) => setTimeout(r, 10_000))]);
      if (!exited && child.pid) signal(child.pid, "SIGKILL");
    },
  };
}

function lastLine(file: string): string {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n");
    return lines[lines.length - 1].replace(/^\[services\] /, "").trim();
  } catch {
    return "";
  }
}
