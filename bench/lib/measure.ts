// Load generation (autocannon), process memory sampling, and the figures table.
import { readFileSync, readdirSync } from "node:fs";
import autocannon from "autocannon";

export interface HttpLoadResult {
  requestsPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  total: number;
  errors: number;
  non2xx: number;
}

export async function httpLoad(opts: {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  durationSec: number;
  /** Checks a sample of responses, so a fast stream of errors is never reported as throughput. */
  verify?: (body: string) => boolean;
}): Promise<HttpLoadResult> {
  let bad = 0;
  const result = await autocannon({
    url: opts.url,
    method: "POST",
    headers: { "content-type": "application/json", ...opts.headers },
    body: opts.body,
    connections: opts.connections,
    duration: opts.durationSec,
    ...(opts.verify
      ? {
          setupClient: (client: { on(e: "body", cb: (b: Buffer) => void): void }) => {
            client.on("body", (b) => {
              if (!opts.verify!(b.toString())) bad++;
            });
          },
        }
      : {}),
  });
  const lat = result.latency as unknown as Record<string, number>;
  return {
    requestsPerSec: Math.round(result.requests.average),
    p50: lat.p50,
    p95: lat.p95 ?? lat.p97_5,
    p99: lat.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts + bad,
    non2xx: result.non2xx,
  };
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** RSS of a process and all its descendants (a cluster primary and its workers), in MB. */
export function treeRssMb(pid: number): number {
  return Math.round((rssMb(pid) + childrenOf(pid).reduce((sum, c) => sum + treeRssMb(c), 0)) * 10) / 10;
}

/** The child processes of a process (a cluster primary's workers). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // gone, or a kernel without CONFIG_PROC_CHILDREN
  }
}

/** The largest RSS of one process in a tree (a cluster's busiest worker, or the only process), in MB. */
export function largestProcessRssMb(pid: number): number {
  return Math.max(rssMb(pid), ...childrenOf(pid).map(largestProcessRssMb));
}

/**
 * Samples the RSS of a process tree every 250 ms until stopped; returns the peak of its largest
 * process (the memory bars are per process).
 */
export function sampleRss(pid: number): { stop(): number } {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, largestProcessRssMb(pid));
    } catch {
      /* process gone */
    }
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export type Row = Record<string, string | number | boolean>;

export function printTable(title: string, rows: Row[]): void {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (typeof v === "number" ? String(Math.round(v * 100) / 100) : String(v ?? ""));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => "| " + vals.map((v, i) => v.padEnd(widths[i])).join(" | ") + " |";
  console.log(`\n${title}`);
  console.log(line(cols));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU seconds of a process and all its descendants (a cluster primary and its workers). */
export function treeCpuSeconds(pid: number): number {
  return cpuSeconds(pid) + childrenOf(pid).reduce((sum, c) => sum + treeCpuSeconds(c), 0);
}

/** Write-type system calls a process and its descendants have made so far (`syscw` in /proc/<pid>/io). */
function treeWriteCalls(pid: number): number {
  let own = 0;
  try {
    own = Number(/syscw:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? 0);
  } catch {
    /* gone */
  }
  return own + childrenOf(pid).reduce((sum, c) => sum + treeWriteCalls(c), 0);
}

export interface CpuFigures {
  /** The server processes (each with its workers). */
  serverCpuSec: number;
  /** The Redis server on REDIS_URL's port (shared with whatever else uses it). */
  redisCpuSec: number;
  /** The FerretDB on MONGO_URL's port and its PostgreSQL cluster (the postmaster and all its processes). */
  ferretdbCpuSec: number;
  /** This benchmark process: the load generator. */
  loadGenCpuSec: number;
  /** Write system calls of the server processes (socket writes to clients, Redis, MongoDB; /proc/<pid>/io syscw). */
  serverWrites: number;
}

/** CPU microseconds per operation over a meter's window: the figures to compare between runs of any size. */
export interface CpuPerOp {
  /** The server processes (with their workers). */
  serverUsPerOp: number;
  /** The deployment's Redis. */
  redisUsPerOp: number;
  /** The database: FerretDB and its PostgreSQL cluster. */
  dbUsPerOp: number;
}

export interface CpuMeter {
  /** Ends the window; with the number of operations done in it, adds the CPU microseconds per operation. */
  stop(): CpuFigures;
  stop(operations: number): CpuFigures & CpuPerOp;
  /** The stopped window's CPU per `operations` of another kind (e.g. per published event beside per delivery). */
  per(operations: number): CpuPerOp;
}

/**
 * CPU used from now to `stop()` by one deployment: its servers, its Redis and its database (FerretDB
 * and its PostgreSQL cluster, found by
 * their ports, not by name: other deployments may run beside it), and the load generator.
 * Without `env` only the given processes are measured (a comparison server using no services): the
 * Redis and database figures are then 0.
 */
export function cpuMeter(serverPids: number[], env?: Record<string, string>): CpuMeter {
  const services = () => (env ? serviceProcesses(env) : { redis: [], database: [] });
  const sum = (pids: number[]) => pids.reduce((n, pid) => n + (tryCpuSeconds(pid) ?? 0), 0);
  const before = { servers: serverPids.map(treeCpuSeconds), writes: serverPids.map(treeWriteCalls), ...services() };
  const redisBefore = sum(before.redis);
  const dbBefore = new Map(before.database.map((pid) => [pid, tryCpuSeconds(pid) ?? 0]));
  const load = process.cpuUsage();
  /** Unrounded CPU seconds of the stopped window, for the per-operation figures. */
  let used: { server: number; redis: number; db: number } | undefined;
  const per = (operations: number): CpuPerOp => {
    if (!used) throw new Error("cpuMeter: per() before stop()");
    return { serverUsPerOp: usPerOp(used.server, operations), redisUsPerOp: usPerOp(used.redis, operations), dbUsPerOp: usPerOp(used.db, operations) };
  };
  const stop = (operations?: number): CpuFigures | (CpuFigures & CpuPerOp) => {
    const after = services();
    const loadGen = process.cpuUsage(load);
    // A backend that started meanwhile counts from zero; one that ended is lost (rare: pooled).
    const db = after.database.reduce((n, pid) => n + (tryCpuSeconds(pid) ?? 0) - (dbBefore.get(pid) ?? 0), 0);
    used = { server: serverPids.reduce((n, pid, i) => n + treeCpuSeconds(pid) - before.servers[i], 0), redis: sum(after.redis) - redisBefore, db };
    return {
      ...(operations === undefined ? {} : per(operations)),
      serverCpuSec: round1(used.server),
      redisCpuSec: round1(used.redis),
      ferretdbCpuSec: round1(used.db),
      loadGenCpuSec: round1((loadGen.user + loadGen.system) / 1e6),
      serverWrites: serverPids.reduce((n, pid, i) => n + treeWriteCalls(pid) - before.writes[i], 0),
    };
  };
  return { stop, per } as CpuMeter;
}

/**
 * Microseconds per operation: whole microseconds from 10 up, one decimal below (Redis's share of a
 * cheap request). /proc counts CPU in 10 ms ticks, so a window needs well over 10 ms of a process's
 * CPU for its figure to mean much: a short run's small figures are coarse.
 */
function usPerOp(cpuSec: number, operations: number): number {
  if (!(operations > 0)) return NaN;
  const us = (Math.max(0, cpuSec) * 1e6) / operations;
  return us >= 10 ? Math.round(us) : Math.round(us * 10) / 10;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function tryCpuSeconds(pid: number): number | undefined {
  try {
    return cpuSeconds(pid);
  } catch {
    return undefined; // gone
  }
}

/** The Redis and FerretDB (+ its PostgreSQL cluster) processes of a deployment, by the ports in its URLs. */
function serviceProcesses(env: Record<string, string>): { redis: number[]; database: number[] } {
  const mongoPort = new URL(env.MONGO_URL).port;
  const redisPort = new URL(env.REDIS_URL).port || "6379";
  const commands = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        return [{ pid: Number(d), cmd: readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" ") }];
      } catch {
        return [];
      }
    });
  const redis = commands.filter((c) => c.cmd.startsWith("redis-server") && c.cmd.includes(`:${redisPort}`)).map((c) => c.pid);
  const ferret = commands.find((c) => c.cmd.includes("ferretdb") && c.cmd.includes(`--listen-addr=127.0.0.1:${mongoPort}`));
  const pgPort = ferret && /--postgresql-url=postgres:\/\/[^\s/]*?:(\d+)\//.exec(ferret.cmd)?.[1];
  const postmaster = pgPort ? commands.find((c) => / -D (\S+)/.test(c.cmd) && c.cmd.includes("postgres") && clusterPort(/ -D (\S+)/.exec(c.cmd)![1]) === pgPort) : undefined;
  const cluster = postmaster ? [postmaster.pid, ...childrenOf(postmaster.pid)] : [];
  return { redis, database: ferret ? [ferret.pid, ...cluster] : [] };
}

/** The port a PostgreSQL data directory's running server listens on (its postmaster.pid, line 4). */
function clusterPort(dataDir: string): string | undefined {
  try {
    return readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[3]?.trim();
  } catch {
    return undefined;
  }
}


