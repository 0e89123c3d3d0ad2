// Platform benchmark: the authenticated `me` query against a bare Node HTTP server returning the
// same JSON, in the same run, with the same process model: one process, then one worker per core
// (WEB_CONCURRENCY for the server, node:cluster for the bare server).
// Bars (issue #2): throughput >= 40% of bare, p99 < 20 ms at 50 connections, idle RSS <= 150 MB.
import { benchDeploymentEnv } from "../lib/deployment";
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { MeDocument } from "../../operations/generated";
import { gql, source } from "../../test/support/client";
import { signUp } from "../../test/support/factories";
import { startServer } from "../../test/support/server";
import { freePort } from "../../src/platform/net";
import { cpuMeter, httpLoad, printTable, rssMb, sampleRss, sleep, type HttpLoadResult, type Row } from "../lib/measure";
import { profileWindow } from "../lib/profiler";

/** A timed load with the CPU of the target per request: its server alone, or with Redis and the database. */
type Measured = HttpLoadResult & { serverUsPerOp: number; redisUsPerOp?: number; dbUsPerOp?: number; serverCpuSec: number; redisCpuSec?: number; ferretdbCpuSec?: number };

export async function meBenchmark(opts: { connections: number; durationSec: number }) {
  const cores = availableParallelism();
  const env = benchDeploymentEnv();
  const runs: Array<{ workers: number; bare: Measured; me: Measured; ratio: number; peakRssMb: number }> = [];
  let floor: { result: Measured; ratio: number } | undefined;
  let idleRss = NaN;
  let warmIdleRss = NaN;

  for (const workers of [...new Set([1, cores])]) {
    const server = await startServer({ ...env, WEB_CONCURRENCY: String(workers) });
    try {
      if (workers === 1) {
        await sleep(2000);
        idleRss = rssMb(server.proc.pid!); // started, serving nothing yet
      }
      const user = await signUp(server);
      const expected = JSON.stringify({ data: (await gql(server, MeDocument, {}, user.token)).data });
      if (workers === 1) {
        await sleep(2000);
        warmIdleRss = rssMb(server.proc.pid!); // idle again after a sign-up and a query
      }
      const body = JSON.stringify({ query: source(MeDocument) });
      const headers = { authorization: `Bearer ${user.token}` };
      const load = (url: string, durationSec = opts.durationSec) =>
        httpLoad({ url, body, headers, connections: opts.connections, durationSec, verify: (b) => b.startsWith(expected) });
      // Per request: the campus-live server with its Redis and database; a comparison server on its own.
      const measured = async (url: string, pid: number, services?: Record<string, string>): Promise<Measured> => {
        const meter = cpuMeter([pid], services);
        const result = await load(url);
        const { serverUsPerOp, redisUsPerOp, dbUsPerOp, serverCpuSec, redisCpuSec, ferretdbCpuSec } = meter.stop(result.total);
        return services
          ? { ...result, serverUsPerOp, redisUsPerOp, dbUsPerOp, serverCpuSec, redisCpuSec, ferretdbCpuSec }
          : { ...result, serverUsPerOp, serverCpuSec };
      };

      const bare = await startBare(expected, workers);
      try {
        await load(bare.url, 2); // warm-up: JIT, keep-alive connections, caches
        await load(server.url, 3);
        const bareResult = await measured(bare.url, bare.pid);
        if (workers === 1) {
          // The framework's own ceiling, same run: minimal Apollo Server 5, hard-coded `me`.
          const minimal = await startChild("minimal-apollo.js", { ME_JSON: JSON.stringify(JSON.parse(expected).data.me) });
          try {
            await load(minimal.url, 3);
            const result = await measured(minimal.url, minimal.pid);
            floor = { result, ratio: result.requestsPerSec / bareResult.requestsPerSec };
          } finally {
            minimal.stop();
          }
        }
        const sampler = sampleRss(server.proc.pid!);
        const profile = await profileWindow(server, `me-${workers}-processes`);
        const meResult = await measured(server.url, server.proc.pid!, server.env);
        await profile.stop();
        runs.push({ workers, bare: bareResult, me: meResult, ratio: meResult.requestsPerSec / bareResult.requestsPerSec, peakRssMb: sampler.stop() });
      } finally {
        bare.stop();
      }
    } finally {
      await server.stop();
    }
  }

  // The CPU per request beside throughput and latency; the comparison servers use no Redis or database.
  const row = (m: Measured): Row => ({
    requestsPerSec: m.requestsPerSec,
    p50: m.p50,
    p95: m.p95,
    p99: m.p99,
    serverUsPerOp: m.serverUsPerOp,
    redisUsPerOp: m.redisUsPerOp ?? "",
    dbUsPerOp: m.dbUsPerOp ?? "",
    total: m.total,
    errors: m.errors,
    non2xx: m.non2xx,
  });
  const rows: Row[] = runs.flatMap((r) => [
    { processes: r.workers, target: "bare node http", ...row(r.bare), ratio: "" },
    ...(r.workers === 1 && floor ? [{ processes: 1, target: "minimal apollo 5", ...row(floor.result), ratio: round(floor.ratio) }] : []),
    { processes: r.workers, target: "campus-live me", ...row(r.me), ratio: round(r.ratio), peakRssMb: r.peakRssMb },
  ]);
  printTable(`me vs bare Node (${opts.connections} connections, ${opts.durationSec} s each; latency in ms, CPU in µs per request)`, rows);
  const all = runs.at(-1)!; // one worker per core: how an instance is meant to run on this machine
  const bars = {
    [`throughputRatio (${all.workers} processes each)`]: { value: round(all.ratio), bar: ">= 0.40", pass: all.ratio >= 0.4 },
    [`p99Ms (${all.workers} processes)`]: { value: all.me.p99, bar: "< 20", pass: all.me.p99 < 20 },
    "idleRssMb (one process, started)": { value: idleRss, bar: "<= 150", pass: idleRss <= 150 },
    "idleRssMb (after first requests)": { value: warmIdleRss, bar: "(report)", pass: true },
    errors: { value: sumErrors(runs), bar: "0", pass: sumErrors(runs) === 0 },
  };
  printTable("bars", Object.entries(bars).map(([figure, b]) => ({ figure, ...b })));
  return { scenario: "me", connections: opts.connections, durationSec: opts.durationSec, runs, minimalApollo: floor, idleRssMb: idleRss, warmIdleRssMb: warmIdleRss, bars };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const sumErrors = (runs: Array<{ me: HttpLoadResult }>) => runs.reduce((n, r) => n + r.me.errors + r.me.non2xx, 0);

function startBare(response: string, workers: number) {
  return startChild("bare-server.js", { BARE_RESPONSE: response, BARE_WORKERS: String(workers) });
}

/** Starts a comparison server from bench/ on a free port; resolves once it says it listens. */
async function startChild(file: string, env: Record<string, string>): Promise<{ url: string; pid: number; stop(): void }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(__dirname, "..", file)], {
    env: { ...process.env, ...env, BARE_PORT: String(port), PORT: String(port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => createInterface({ input: proc.stdout! }).once("line", () => resolve()));
  return { url: `http://127.0.0.1:${port}/graphql`, pid: proc.pid!, stop: () => proc.kill("SIGTERM") };
}
