// The soak's figures and verdict: what it scrapes from each instance's /metrics, and the report
// (per operation and per window, subscriptions, summary, the bars) printed and returned at the end.
import type { TestServer } from "../../../test/support/server";
import { percentile, printTable, type Row } from "../../lib/measure";
import type { Recorder } from "./clients";
import type { Driver, OfficeHoursDriver } from "./drivers";
import type { Domain, SoakOptions } from "./options";
import type { QuizzesDriver } from "./quizAttendanceDrivers";

const SCRAPED = [
  "nodejs_heap_size_used_bytes",
  "nodejs_heap_size_total_bytes",
  "nodejs_external_memory_bytes",
  "graphql_ws_open_sockets",
  "graphql_active_subscriptions",
  "nodejs_eventloop_lag_p99_seconds",
  "nodejs_active_handles_total",
] as const;
export type Scrape = Record<(typeof SCRAPED)[number], number> & { t: number; backlog: number };

export async function scrape(server: TestServer): Promise<Scrape> {
  const text = await (await fetch(server.metricsUrl)).text();
  const value = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([-0-9.eE+]+)$`, "m").exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const out = { t: performance.now(), backlog: 0 } as Scrape;
  for (const name of SCRAPED) out[name] = value(name);
  for (const m of text.matchAll(/^\w+_log_backlog(?:\{[^}]*\})? ([-0-9.eE+]+)$/gm)) out.backlog += Number(m[1]);
  return out;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);
export const round1 = (n: number) => Math.round(n * 10) / 10;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
export const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const drift = (first: number, last: number) => Math.round(((last - first) / first) * 1000) / 10;

export function report(r: {
  opts: SoakOptions;
  rec: Recorder;
  rss: { t: number; mb: number[] }[];
  scrapes: Scrape[][];
  afterClose: Scrape[];
  rssIdle: number[];
  rssNoClients: number[];
  load: { start: number; end: number };
  perWindowLoad: number[];
  servers: TestServer[];
  seconds: number;
  drivers: Record<Domain, Driver>;
  sockets: number;
  setupAccounts: number;
}) {
  const { opts, rec } = r;
  const last = opts.windows - 1;
  const windowSec = rec.windowMs / 1000;

  // Per operation: throughput, p99 per window, drift.
  const opRows: Row[] = [];
  const driftOf: Record<string, { first: number; last: number; drift: number; judged: boolean }> = {};
  for (const [name, s] of [...rec.ops.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const all = sorted(s.windows.flat());
    const p99s = s.windows.map((w) => percentile(sorted(w), 99));
    const judged = s.windows[0].length >= opts.minSamples && s.windows[last].length >= opts.minSamples;
    driftOf[name] = { first: p99s[0], last: p99s[last], drift: drift(p99s[0], p99s[last]), judged };
    const conflicts = [...s.conflicts.values()].reduce((a, b) => a + b, 0);
    const errors = [...s.errors.values()].reduce((a, b) => a + b, 0);
    opRows.push({
      op: name,
      count: all.length,
      perSec: round1(all.length / r.seconds),
      conflicts,
      errors,
      p50: round1(percentile(all, 50)),
      p99: round1(percentile(all, 99)),
      ...Object.fromEntries(p99s.map((p, i) => [`w${i + 1} p99`, round1(p)])),
      drift: judged ? `${driftOf[name].drift}%` : `(${driftOf[name].drift}%)`,
    });
  }
  const overallWindows = Array.from({ length: opts.windows }, (_, w) => sorted([...rec.ops.values()].flatMap((s) => s.windows[w])));
  const overallP99 = overallWindows.map((w) => percentile(w, 99));
  const everything = sorted(overallWindows.flat());
  const allErrors = new Map<string, number>();
  const allConflicts = new Map<string, number>();
  for (const [name, s] of rec.ops) {
    for (const [k, v] of s.errors) allErrors.set(`${name} ${k}`, v);
    for (const [k, v] of s.conflicts) allConflicts.set(`${name} ${k}`, v);
  }
  const errorCount = [...allErrors.values()].reduce((a, b) => a + b, 0);
  // Sockets closed by the server and subscriptions that errored: not operations, still failures.
  const subErrorCount = [...rec.subs.values()].reduce((n, s) => n + [...s.errors.values()].reduce((a, b) => a + b, 0), 0);
  opRows.push({
    op: "ALL",
    count: everything.length,
    perSec: round1(everything.length / r.seconds),
    conflicts: [...allConflicts.values()].reduce((a, b) => a + b, 0),
    errors: errorCount,
    p50: round1(percentile(everything, 50)),
    p99: round1(percentile(everything, 99)),
    ...Object.fromEntries(overallP99.map((p, i) => [`w${i + 1} p99`, round1(p)])),
    drift: `${drift(overallP99[0], overallP99[last])}%`,
  });
  printTable(
    `soak: ${opts.rate} ops/s for ${opts.minutes} min after ${opts.warmupSec} s warm-up, ${r.servers.length} instance(s); latency ms, p99 per ${round1(windowSec / 60)}-min window; drift = last vs first window (in parentheses: fewer than ${opts.minSamples} samples, not judged)`,
    opRows,
  );

  // Per window: the server's memory and what it holds.
  const rssIn = (from: number, to: number) => r.rss.filter((x) => x.t >= from && x.t < to).map((x) => x.mb.reduce((a, b) => a + b, 0));
  const scrapeIn = (w: number) => r.scrapes.filter((s) => rec.window(s[0].t) === w).at(-1);
  const sum = (s: Scrape[] | undefined, k: keyof Scrape) => (s ? s.reduce((n, x) => n + x[k], 0) : NaN);
  const windowRows: Row[] = overallWindows.map((lat, w) => {
    const from = rec.measureStart + w * rec.windowMs;
    const s = scrapeIn(w);
    const rssW = rssIn(from, from + rec.windowMs);
    return {
      window: w + 1,
      minutes: `${round1((w * windowSec) / 60)}-${round1(((w + 1) * windowSec) / 60)}`,
      ops: lat.length,
      perSec: round1(lat.length / windowSec),
      p50: round1(percentile(lat, 50)),
      p99: round1(percentile(lat, 99)),
      errors: [...rec.ops.values()].reduce((n, o) => n + o.windowErrors[w], 0),
      rssMeanMb: Math.round(mean(rssW)),
      rssMaxMb: Math.round(Math.max(...rssW)),
      heapUsedMb: mb(sum(s, "nodejs_heap_size_used_bytes")),
      heapTotalMb: mb(sum(s, "nodejs_heap_size_total_bytes")),
      externalMb: mb(sum(s, "nodejs_external_memory_bytes")),
      sockets: sum(s, "graphql_ws_open_sockets"),
      subscriptions: sum(s, "graphql_active_subscriptions"),
      handles: sum(s, "nodejs_active_handles_total"),
      loopLagP99Ms: s ? round1(Math.max(...s.map((x) => x.nodejs_eventloop_lag_p99_seconds)) * 1000) : NaN,
      logBacklog: sum(s, "backlog"),
      loadAvg1: round1(r.perWindowLoad[w] ?? NaN),
    };
  });
  printTable("per window: server memory (sum over instances; heap from /metrics at the window's last scrape) and machine load average", windowRows);

  // Subscriptions held: deliveries per window.
  printTable(
    "subscriptions: deliveries per window",
    [...r.rec.subs.entries()].map(([label, s]) => ({
      subscription: label,
      warmup: s.warmup,
      ...Object.fromEntries(s.windows.map((n, i) => [`w${i + 1}`, n])),
      errors: [...s.errors.entries()].map(([k, v]) => `${k} x${v}`).join("; ") || 0,
    })),
  );
  if (allConflicts.size) printTable("intended domain conflicts", [...allConflicts.entries()].map(([what, n]) => ({ what, n })));
  if (allErrors.size) {
    printTable("errors (by operation and code/reason)", [...allErrors.entries()].map(([what, n]) => ({ what, n })));
    for (const [k, v] of rec.samples) console.log(`  ${k}: ${v.join(" | ")}`);
  }

  // RSS: mean of the first 30 s after warm-up vs the last 30 s of traffic (one-second samples).
  const measureEnd = rec.measureStart + opts.minutes * 60_000;
  const span = Math.min(30_000, rec.windowMs / 2);
  const rssStart = Math.round(mean(rssIn(rec.measureStart, rec.measureStart + span)));
  const rssEnd = Math.round(mean(rssIn(measureEnd - span, measureEnd + 1)));
  const rssGrowth = drift(rssStart, rssEnd);
  // Growth that stops (a cache filling up) vs growth that goes on: the second half on its own.
  const half = rec.measureStart + (opts.minutes * 60_000) / 2;
  const rssHalf = Math.round(mean(rssIn(half - span / 2, half + span / 2)));
  const startScrape = r.scrapes.find((s) => s[0].t >= rec.measureStart);
  const endScrape = r.scrapes.at(-1);
  const quizzes = r.drivers.quizzes as QuizzesDriver;
  const oh = r.drivers.officeHours as OfficeHoursDriver;
  const summary = {
    instances: r.servers.length,
    measuredSec: Math.round(r.seconds),
    opsPerSec: round1(everything.length / r.seconds),
    droppedAtInFlightCap: r.rec.dropped[1],
    sockets: r.sockets,
    rssStartMb: rssStart,
    rssEndMb: rssEnd,
    rssGrowthPct: rssGrowth,
    rssHalfwayMb: rssHalf,
    rssGrowthSecondHalfPct: drift(rssHalf, rssEnd),
    rssIdleAfterMb: r.rssIdle.reduce((a, b) => a + b, 0),
    rssWithoutClientsMb: r.rssNoClients.reduce((a, b) => a + b, 0),
    heapUsedStartMb: mb(sum(startScrape, "nodejs_heap_size_used_bytes")),
    heapUsedEndMb: mb(sum(endScrape, "nodejs_heap_size_used_bytes")),
    subscriptionsLeftOnServer: sum(r.afterClose, "graphql_active_subscriptions"),
    socketsLeftOnServer: sum(r.afterClose, "graphql_ws_open_sockets"),
    quizzesRun: quizzes.quizzesRun,
    closedLeaderboardPushes: quizzes.closedPushes,
    callNextAnsweredNull: oh.callNextEmpty,
    loadAvgStart: round1(r.load.start),
    loadAvgEnd: round1(r.load.end),
  };
  printTable("summary", [summary]);

  const judged = Object.entries(driftOf).filter(([, d]) => d.judged);
  const worst = judged.reduce<[string, number]>((w, [name, d]) => (d.drift > w[1] ? [name, d.drift] : w), ["-", -Infinity]);
  const overallDrift = drift(overallP99[0], overallP99[last]);
  const bars = {
    "RSS growth % (end vs start after warm-up)": { value: rssGrowth, bar: "<= 10", pass: rssGrowth <= 10 },
    "p99 drift % overall (last vs first window)": { value: overallDrift, bar: "<= 20", pass: overallDrift <= 20 },
    [judged.length ? `p99 drift % per operation (worst of ${judged.length}: ${worst[0]})` : `p99 drift % per operation (none with ${opts.minSamples}+ samples per window)`]: {
      value: judged.length ? worst[1] : NaN,
      bar: "<= 20",
      pass: judged.length > 0 && worst[1] <= 20,
    },
    "errors (besides intended conflicts)": { value: errorCount, bar: "0", pass: errorCount === 0 },
    "subscription errors (sockets closed, subscriptions errored)": { value: subErrorCount, bar: "0", pass: subErrorCount === 0 },
    "subscriptions left on the server after clients closed": { value: summary.subscriptionsLeftOnServer, bar: "0", pass: summary.subscriptionsLeftOnServer === 0 },
  };
  const failing = judged.filter(([, d]) => d.drift > 20).map(([name, d]) => `${name} ${round1(d.first)} -> ${round1(d.last)} ms (${d.drift}%)`);
  printTable("bars", Object.entries(bars).map(([figure, b]) => ({ figure, ...b })));
  if (failing.length) console.log(`operations over the drift bar: ${failing.join("; ")}`);

  return {
    scenario: "soak",
    options: opts,
    summary,
    operations: opRows,
    windows: windowRows,
    conflicts: Object.fromEntries(allConflicts),
    errors: Object.fromEntries(allErrors),
    subscriptions: Object.fromEntries([...r.rec.subs.entries()].map(([k, s]) => [k, { warmup: s.warmup, windows: s.windows, errors: Object.fromEntries(s.errors) }])),
    drift: driftOf,
    bars,
  };
}
