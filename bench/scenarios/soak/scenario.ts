// The soak run: mixed traffic across every domain at a moderate, steady rate for a long time, to
// measure drift rather than saturation (what it sends and judges: soakBenchmark's comment).
import { benchDeploymentEnv, SERVER_ENV } from "../../lib/deployment";
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Pool } from "undici";
import { mulberry32 } from "../../../scripts/lib/random";
import { startServer, type TestServer } from "../../../test/support/server";
import { percentile, sleep, treeRssMb } from "../../lib/measure";
import { Api, Recorder, Sockets } from "./clients";
import { AccountsDriver, EnrollmentDriver, OfficeHoursDriver, type Ctx, type Driver } from "./drivers";
import { DOMAINS, type Domain, type SoakOptions } from "./options";
import { groupsFor, holdSubscriptions, setUp } from "./population";
import { AttendanceDriver, QuizzesDriver } from "./quizAttendanceDrivers";
import { report, round1, scrape, sorted, type Scrape } from "./report";

/**
 * One deployment (BENCH_SOAK_INSTANCES server processes sharing MongoDB and Redis; HTTP requests
 * round-robin over them, each user's socket pinned to one).
 *
 * Traffic is open-loop: a scheduler issues BENCH_SOAK_RATE operations per second whatever the answers
 * take (an operation is dropped and counted when BENCH_SOAK_MAX_IN_FLIGHT are outstanding), split by
 * domain (BENCH_SOAK_MIX). Each domain's clients keep their own state and send what a real client
 * would send next:
 * - accounts: signUp, logIn, me;
 * - enrollment: enroll / disenroll over small courses with waitlists (COURSE_FULL is an intended
 *   conflict), myEnrollments, course; every student holds myEnrollmentChanged, staff courseSeatsChanged;
 * - office hours: staff on duty callNext, the student acceptInvite, endMeeting after
 *   BENCH_SOAK_MEETING_MS, students join again; students hold myQueueEntryChanged, staff queueChanged
 *   and officeHoursStatusChanged, OBSERVER dashboards queueChanged; officeHoursQueue reads;
 * - quizzes: LIVE quizzes one after another per course (createQuiz, every player joinQuiz, then per
 *   question startQuestion and every player answer, closeQuiz); players hold questionStarted and
 *   some leaderboardChanged for the quiz's life (subscribed on join, dropped at the close);
 *   leaderboard / myQuizResult reads;
 * - attendance: teachers reportAbsence then completeLesson register after register over the last
 *   five school days (enough groups that each register is taken once in the run), attendanceStats;
 *   teachers and OBSERVER dashboards hold attendanceChanged; an ADMIN holds the whole domainEvents feed.
 *
 * After BENCH_SOAK_WARMUP_SEC of the same traffic, BENCH_SOAK_MINUTES are measured in
 * BENCH_SOAK_WINDOWS windows. Bars: server RSS growth <= 10% (mean of the last 30 s vs the first 30 s
 * after warm-up), p99 drift <= 20% (last window vs first window, overall and per operation with at
 * least BENCH_SOAK_MIN_SAMPLES in both), no error other than intended domain conflicts, and no
 * subscription left on the server once the clients have gone.
 */
export async function soakBenchmark(opts: SoakOptions) {
  const heapDir = join(__dirname, "..", "..", "..", "..", "bench", "results", "heap");
  if (opts.heapSnapshots) mkdirSync(heapDir, { recursive: true });
  const baseEnv = benchDeploymentEnv({
    ...(opts.heapSnapshots ? { NODE_OPTIONS: `${SERVER_ENV.NODE_OPTIONS} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${heapDir}` } : {}),
    LOGIN_LIMIT_PER_IP: "1000000",
    LOGIN_LIMIT_PER_ACCOUNT: "1000000",
    DEFAULT_REMAINING_CHANGES: "1000",
  });
  const mongoUrl = new URL(baseEnv.MONGO_URL);
  if (opts.mongoPool > 0) mongoUrl.searchParams.set("maxPoolSize", String(opts.mongoPool));
  const env = { ...baseEnv, MONGO_URL: mongoUrl.toString() };
  const servers: TestServer[] = [];
  for (let i = 0; i < opts.instances; i++) servers.push(await startServer(env));
  const [first] = servers;
  const pools = servers.map((s) => new Pool(new URL(s.url).origin, { connections: opts.connections, pipelining: 1 }));
  const windowMs = (opts.minutes * 60_000) / opts.windows;
  const rec = new Recorder(windowMs, opts.windows);
  const sockets = new Sockets(servers, rec);
  const api = new Api(pools, rec);
  const ctx: Ctx = { api, sockets, rec, random: mulberry32(opts.seed), opts };
  const rssTree = () => servers.map((s) => treeRssMb(s.proc.pid!));
  const snapshot = (label: string) => {
    if (!opts.heapSnapshots) return;
    console.log(`heap snapshot (${label}) of pid ${servers.map((s) => s.proc.pid).join(", ")} into ${heapDir}`);
    for (const s of servers) s.proc.kill("SIGUSR2");
  };
  try {
    const setupStarted = performance.now();
    const pop = await setUp(first, groupsFor(opts));
    holdSubscriptions(pop, sockets);
    console.log(`set-up: ${pop.accounts.length} accounts, ${pop.groups.length} attendance groups, ${sockets.count} sockets in ${Math.round((performance.now() - setupStarted) / 1000)} s`);

    const drivers: Record<Domain, Driver> = {
      accounts: new AccountsDriver(ctx, pop.accounts),
      enrollment: new EnrollmentDriver(ctx, pop.enrollStudents, pop.enrollCourses),
      officeHours: new OfficeHoursDriver(ctx, pop.ohCourses),
      quizzes: new QuizzesDriver(ctx, pop.quizLines),
      attendance: new AttendanceDriver(ctx, pop.schoolId, pop.groups),
    };
    const total = DOMAINS.reduce((n, d) => n + opts.mix[d], 0);
    const cumulative = DOMAINS.map(
      (
        (sum) => (d: Domain) =>
          (sum += opts.mix[d] / total)
      )(0),
    );

    // Samplers: RSS every second, /metrics every 15 s.
    const rss: { t: number; mb: number[] }[] = [];
    const scrapes: Scrape[][] = [];
    const rssTimer = setInterval(() => rss.push({ t: performance.now(), mb: rssTree() }), 1000);
    const scrapeAll = async () => {
      try {
        scrapes.push(await Promise.all(servers.map(scrape)));
      } catch (e) {
        console.error(`metrics scrape failed: ${e}`);
      }
    };
    const scrapeTimer = setInterval(() => void scrapeAll(), 15_000);

    // The open-loop scheduler.
    const load = { start: loadavg()[0], end: NaN };
    const started = performance.now();
    const warmupEnd = started + opts.warmupSec * 1000;
    const end = warmupEnd + opts.minutes * 60_000;
    let issued = 0;
    let lastWindow = -1;
    const perWindowLoad: number[] = [];
    console.log(`traffic: ${opts.rate} ops/s, warm-up ${opts.warmupSec} s, then ${opts.minutes} min in ${opts.windows} windows (load average ${loadavg().map((l) => l.toFixed(2)).join(" ")})`);
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const now = performance.now();
        if (!rec.measureStart && now >= warmupEnd) {
          rec.measureStart = warmupEnd;
          void scrapeAll();
          snapshot("after warm-up");
        }
        const w = rec.window(now);
        if (w !== lastWindow && w >= 0) {
          if (lastWindow >= 0) progress(lastWindow);
          if (w === Math.floor(opts.windows / 2)) snapshot("halfway");
          lastWindow = w;
          perWindowLoad[w] = loadavg()[0];
        }
        if (now >= end) {
          clearInterval(tick);
          progress(lastWindow);
          resolve();
          return;
        }
        const due = Math.floor(((now - started) / 1000) * opts.rate);
        for (; issued < due; issued++) {
          if (api.inFlight >= opts.maxInFlight) {
            rec.dropped[rec.window(now) < 0 ? 0 : 1]++;
            continue;
          }
          const r = ctx.random();
          const domain = DOMAINS[cumulative.findIndex((c) => r < c)] ?? DOMAINS[DOMAINS.length - 1];
          void drivers[domain].step().catch((e) => console.error(`${domain} step failed:`, e));
        }
      }, 10);
    });
    const measuredEnd = performance.now();
    await api.drain();
    await scrapeAll();
    snapshot("end");
    load.end = loadavg()[0];
    clearInterval(rssTimer);
    clearInterval(scrapeTimer);

    function progress(w: number) {
      const lat = sorted([...rec.ops.values()].flatMap((s) => s.windows[w]));
      const errors = new Map<string, number>();
      for (const [name, s] of rec.ops) for (const [k, v] of s.errors) errors.set(`${name} ${k}`, v);
      const r = rssTree();
      console.log(
        `window ${w + 1}/${opts.windows}: ${lat.length} ops, p50 ${round1(percentile(lat, 50))} ms, p99 ${round1(percentile(lat, 99))} ms, ` +
          `dropped so far ${rec.dropped[1]}, RSS ${r.join("+")} MB, load ${loadavg()[0].toFixed(2)}; errors so far: ${[...errors].map(([k, v]) => `${k} x${v}`).join(", ") || "none"}`,
      );
    }

    // Idle, then without clients: whatever the server still holds.
    await sleep(5000);
    const rssIdle = rssTree();
    const socketCount = sockets.count;
    await sockets.closeAll();
    await sleep(3000);
    const afterClose = await Promise.all(servers.map(scrape));
    const rssNoClients = rssTree();

    return report({ opts, rec, rss, scrapes, afterClose, rssIdle, rssNoClients, load, perWindowLoad, servers, seconds: (measuredEnd - rec.measureStart) / 1000, drivers, sockets: socketCount, setupAccounts: pop.accounts.length });
  } finally {
    await sockets.closeAll();
    await Promise.all(pools.map((p) => p.close()));
    await Promise.all(servers.map((s) => s.stop()));
  }
}
