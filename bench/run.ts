// Benchmark runner: `npm run bench [-- scenario ...]`. Prints each scenario's figures as a table,
// then all of them as one JSON document (also written to bench/results/latest.json).
import "reflect-metadata";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { attendanceBenchmark } from "./scenarios/attendance";
import { enrollmentBenchmark } from "./scenarios/enrollment";
import { eventsBenchmark } from "./scenarios/events";
import { meBenchmark } from "./scenarios/me";
import { officeHoursBenchmark } from "./scenarios/officeHours";
import { quizzesBenchmark } from "./scenarios/quizzes";
import { parseMix } from "./scenarios/soak/options";
import { soakBenchmark } from "./scenarios/soak/scenario";

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
/** Server worker processes: BENCH_WORKERS, else the server's own WEB_CONCURRENCY default. */
const workers = process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : undefined;

const scenarios: Record<string, () => Promise<unknown>> = {
  me: () => meBenchmark({ connections: num("BENCH_CONNECTIONS", 50), durationSec: num("BENCH_DURATION", 10) }),
  events: () => eventsBenchmark({ subscribers: num("BENCH_SUBSCRIBERS", 500), events: num("BENCH_EVENTS", 50) }),
  enrollment: () =>
    enrollmentBenchmark({
      students: num("BENCH_STUDENTS", 1000),
      perStudent: 7,
      courses: 100,
      connections: num("BENCH_ENROLL_CONNECTIONS", 64),
      workers,
      catalogueSize: 1500,
      repeat: num("BENCH_REPEAT", 3),
    }),
  officeHours: () =>
    officeHoursBenchmark({
      courses: num("BENCH_OH_COURSES", 200),
      studentsPerCourse: 20,
      dashboardsPerCourse: num("BENCH_OH_DASHBOARDS", 50),
      meetingMs: num("BENCH_OH_MEETING_MS", 20_000),
      expiringInvites: num("BENCH_OH_EXPIRING", 1000),
      ttlSeconds: 3,
      workers,
      parts: (process.env.BENCH_OH_PARTS ?? "live,expiry").split(","),
    }),
  quizzes: () =>
    quizzesBenchmark({
      players: num("BENCH_QUIZ_PLAYERS", 2000),
      questions: num("BENCH_QUIZ_QUESTIONS", 10),
      connections: num("BENCH_QUIZ_CONNECTIONS", 256),
      wideSubscribers: num("BENCH_QUIZ_WIDE_SUBSCRIBERS", 10_000),
      workers,
      transport: process.env.BENCH_QUIZ_TRANSPORT === "http" ? "http" : "socket",
    }),
  attendance: () =>
    attendanceBenchmark({
      groups: num("BENCH_GROUPS", 3000),
      studentsPerGroup: 30,
      teachers: num("BENCH_TEACHERS", 300),
      bells: num("BENCH_BELLS", 3),
      bellRate: num("BENCH_BELL_RATE", 3000),
      schools: 100,
      regions: 5,
      termDays: num("BENCH_TERM_DAYS", 190),
      statsDurationSec: num("BENCH_DURATION", 10),
      workers,
    }),
  soak: () =>
    soakBenchmark({
      minutes: num("BENCH_SOAK_MINUTES", 30),
      rate: num("BENCH_SOAK_RATE", 25),
      warmupSec: num("BENCH_SOAK_WARMUP_SEC", 60),
      windows: num("BENCH_SOAK_WINDOWS", 6),
      instances: num("BENCH_SOAK_INSTANCES", 1),
      connections: num("BENCH_SOAK_CONNECTIONS", 32),
      maxInFlight: num("BENCH_SOAK_MAX_IN_FLIGHT", 200),
      minSamples: num("BENCH_SOAK_MIN_SAMPLES", 200),
      meetingMs: num("BENCH_SOAK_MEETING_MS", 3000),
      mix: parseMix(process.env.BENCH_SOAK_MIX),
      seed: num("BENCH_SOAK_SEED", 7),
      heapSnapshots: process.env.BENCH_SOAK_HEAP_SNAPSHOTS === "1",
      mongoPool: num("BENCH_SOAK_MONGO_POOL", 0),
    }),
};
/** Long-running scenarios run only when named. */
const OPT_IN = new Set(["soak"]);

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const names = wanted.length ? wanted : Object.keys(scenarios).filter((n) => !OPT_IN.has(n));
  const unknown = names.filter((n) => !scenarios[n]);
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(", ")}; known: ${Object.keys(scenarios).join(", ")}`);
    process.exit(2);
  }
  const results: Record<string, unknown> = {};
  for (const name of names) {
    console.log(`\n=== ${name}`);
    results[name] = await scenarios[name]();
  }
  const report = { time: new Date().toISOString(), node: process.version, results };
  const dir = join(__dirname, "..", "..", "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "latest.json"), JSON.stringify(report, null, 2));
  console.log("\n" + JSON.stringify(report));
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
