// CPU profile by layer: `node dist/bench/profile.js <file.cpuprofile> [...]` reads V8 CPU profiles
// (of a benchmark's timed window with BENCH_PROFILE_DIR, bench/lib/profiler.ts; of a server's whole
// life with BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=<dir>")
// and prints the share of sampled time each layer of the stack takes: self time by the file a
// sample's function lives in (the framework's code, this server's, Node's, the garbage collector),
// and, for each layer, the heaviest functions. Idle samples are left out of the shares.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The layers, first match wins: a sample belongs to the layer of the function it was in. */
const LAYERS: [string, (url: string, fn: string) => boolean][] = [
  ["(idle)", (_u, fn) => fn === "(idle)"],
  ["garbage collector", (_u, fn) => fn === "(garbage collector)"],
  ["V8 and native (program)", (u, fn) => fn === "(program)" || (u === "" && fn !== "(root)")],
  ["Apollo Server", (u) => u.includes("/@apollo/")],
  ["graphql-js", (u) => u.includes("/node_modules/graphql/")],
  ["type-graphql", (u) => u.includes("/node_modules/type-graphql/")],
  ["class-validator", (u) => u.includes("/node_modules/class-validator/")],
  ["graphql-ws, ws", (u) => u.includes("/node_modules/graphql-ws/") || u.includes("/node_modules/ws/")],
  ["mongoose, MongoDB driver, BSON", (u) => /\/node_modules\/(mongoose|mongodb|bson|mquery|kareem)\//.test(u)],
  ["ioredis", (u) => /\/node_modules\/(ioredis|redis-parser|@ioredis)\//.test(u)],
  ["logging, metrics (pino, prom-client)", (u) => /\/node_modules\/(pino|prom-client|sonic-boom|thread-stream)/.test(u)],
  ["other packages", (u) => u.includes("/node_modules/")],
  ["server: transport (src/server)", (u) => u.includes("/dist/src/server/")],
  ["server: resolvers, schema types", (u) => /\/dist\/src\/(resolvers|schema)\//.test(u)],
  ["server: domain, events, auth", (u) => /\/dist\/src\/(domain|events|auth|models)\//.test(u)],
  ["server: platform, jobs", (u) => /\/dist\/src\/(platform|jobs)\//.test(u) || /\/dist\/src\/[^/]+\.js$/.test(u)],
  ["Node.js (http, net, streams, timers)", (u) => u.startsWith("node:")],
  ["other", () => true],
];

function layerOf(url: string, fn: string): string {
  for (const [name, test] of LAYERS) if (test(url, fn)) return name;
  return "other";
}

function main(files: string[]): void {
  if (files.length === 0) {
    console.error("usage: node dist/bench/profile.js <file.cpuprofile> [...]");
    process.exit(64);
  }
  const byLayer = new Map<string, number>();
  const byFunction = new Map<string, Map<string, number>>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!;
      const { url, functionName, lineNumber } = node.callFrame;
      const layer = layerOf(url, functionName);
      if (layer === "(idle)") return;
      const us = profile.timeDeltas[i] ?? 0;
      total += us;
      byLayer.set(layer, (byLayer.get(layer) ?? 0) + us);
      const fns = byFunction.get(layer) ?? new Map<string, number>();
      const where = url ? `${url.replace(/^.*\/(node_modules|dist)\//, "")}:${lineNumber + 1}` : "";
      const key = `${functionName || "(anonymous)"} ${where}`.trim();
      fns.set(key, (fns.get(key) ?? 0) + us);
      byFunction.set(layer, fns);
    });
  }
  const rows = [...byLayer.entries()].sort((a, b) => b[1] - a[1]);
  console.log(`busy samples: ${(total / 1e6).toFixed(2)} s of CPU (idle excluded), ${files.length} profile(s)\n`);
  console.log("share  layer");
  for (const [layer, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${layer}`);
  const top = Number(process.env.PROFILE_TOP ?? 5);
  for (const [layer, us] of rows) {
    if (us / total < 0.02) continue;
    console.log(`\n${layer} (${((100 * us) / total).toFixed(1)}%):`);
    const fns = [...byFunction.get(layer)!.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [fn, fus] of fns) console.log(`  ${((100 * fus) / total).toFixed(1).padStart(5)}%  ${fn}`);
  }
}

main(process.argv.slice(2));
