// The morning bell (seed 002 at benchmark scale): 3,000 groups of 30 students (90,000 students, put on
// the rolls with importRoster, 10,000 rows a call), 300 teachers of 10 groups each, all starting at
// the bell: per group one `reportAbsence` with 0-4 absences, then `completeLesson`. Requests go out
// over one keep-alive connection per teacher, opened before the first bell and held across the bells.
// First the saturation bells (each teacher's next request as soon as the last is answered: the most
// the deployment takes), then the paced bells (the teachers together offer BENCH_BELL_RATE mutations
// a second, 3,000 by default); latency counts from when a request was due, so a teacher held up by
// a slow answer carries that wait into its next request. Between bells the bench waits for the log writer to store the registers
// (periods are ~50 minutes apart). After the bells, the durable copy (MongoDB) is compared mark by
// mark with what the teachers sent: zero lost, zero duplicated.
// Then `attendanceStats` for one school over a 190-school-day term (generated history), p99.
// Bars (issue #6): >= 3,000 mutations/s (saturation bells), p99 <= 100 ms (bells at 3,000/s), zero lost
// or duplicated absences; stats p99 <= 100 ms.
import { benchDeploymentEnv, saveServerLog, workersEnv } from "../lib/deployment";
import { MongoClient } from "mongodb";
import { Pool } from "undici";
import {
  AssignGroupTeacherDocument,
  AttendanceStatsDocument,
  CompleteLessonBriefDocument,
  CreateGroupDocument,
  CreateSchoolDocument,
  ImportRosterDocument,
  MyGroupsDocument,
  ReportAbsenceBriefDocument,
  type AbsenceKind,
} from "../../operations/generated";
import { generateDataset } from "../../scripts/lib/attendanceDataset";
import { loadConfig } from "../../src/platform/config";
import { createLogger } from "../../src/platform/logger";
import { mulberry32 } from "../../scripts/lib/random";
import { createRuntime } from "../../src/runtime";
import { gql, source } from "../../test/support/client";
import { logInAdmin, signUp, type TestUser } from "../../test/support/factories";
import { startServer, type TestServer } from "../../test/support/server";
import { cpuMeter, httpLoad, percentile, printTable, sampleRss, sleep } from "../lib/measure";
import { profileWindow } from "../lib/profiler";
import { inParallel, must } from "../lib/setup";
import { postGraphQL } from "../lib/http";
import { ABSENCE_KINDS } from "../../src/models/attendance";

export interface AttendanceBenchOptions {
  groups: number;
  studentsPerGroup: number;
  teachers: number;
  bells: number;
  /** Mutations a second the teachers offer together in the paced bells (0: no paced bells). */
  bellRate: number;
  schools: number;
  regions: number;
  termDays: number;
  statsDurationSec: number;
  /** Server worker processes (WEB_CONCURRENCY). */
  workers?: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function attendanceBenchmark(opts: AttendanceBenchOptions) {
  const server = await startServer(benchDeploymentEnv(workersEnv(opts.workers)));
  const mongo = await MongoClient.connect(server.env.MONGO_URL);
  try {
    const setup = await setUp(server, opts);
    // One keep-alive connection per teacher for the whole morning (as a load balancer's upstream pool
    // holds them), opened before the bell when each teacher's app loads its register screen
    // (`myGroups`, not timed): the bells time the registers, not 300 TCP set-ups at once.
    const pool = new Pool(new URL(server.url).origin, { connections: opts.teachers, pipelining: 1 });
    const bells: BellRow[] = [];
    // First the saturation bells (every teacher sends its next request when the last is answered: the
    // most this deployment takes), then, if a rate is set, the paced bells (the teachers together offer
    // `bellRate` mutations a second: the latency at that load).
    const rates = [...Array<number>(opts.bells).fill(0), ...Array<number>(opts.bellRate > 0 ? opts.bells : 0).fill(opts.bellRate)];
    try {
      await openRegisterScreens(pool, setup);
      for (const [i, rate] of rates.entries()) {
        bells.push(await bell(server, pool, setup, i + 1, rate));
        // Periods are ~50 minutes apart: by the next bell the writer has long stored this one's registers.
        if (i + 1 < rates.length) await writerDrained(mongo, setup, i + 1);
      }
    } finally {
      await pool.close();
    }
    const check = await verify(server, mongo, setup, rates.length);
    const median = (rows: BellRow[], k: keyof BellRow) => percentile(rows.map((r) => Number(r[k])).sort((x, y) => x - y), 50);
    const summarize = (rows: BellRow[]) => ({
      bell: "median",
      offered: rows[0]?.offered ?? "",
      mutationsPerSec: median(rows, "mutationsPerSec"),
      p50Ms: median(rows, "p50Ms"),
      p99Ms: median(rows, "p99Ms"),
      serverUsPerOp: median(rows, "serverUsPerOp"),
      redisUsPerOp: median(rows, "redisUsPerOp"),
      dbUsPerOp: median(rows, "dbUsPerOp"),
      serverCpuSec: median(rows, "serverCpuSec"),
    });
    const saturated = bells.filter((b) => b.offered === "max");
    const paced = bells.filter((b) => b.offered !== "max");
    const summary = summarize(saturated);
    const pacedSummary = paced.length ? summarize(paced) : undefined;
    printTable(
      `morning bell: ${opts.groups} groups x ${opts.studentsPerGroup} students, ${opts.teachers} teachers, report (0-4 absences) + complete per group; latency from when each request was due; CPU µs per mutation`,
      [...saturated, summary, ...paced, ...(pacedSummary ? [pacedSummary] : [])],
    );
    printTable("durable copy after the bells (MongoDB vs what the teachers sent)", [check]);
    const stats = await statsBenchmark(server, opts);
    const bars = {
      "mutationsPerSec (median, saturation bells)": { value: summary.mutationsPerSec, bar: ">= 3000", pass: summary.mutationsPerSec >= 3000 },
      ...(pacedSummary
        ? { [`p99Ms (median, bells at ${opts.bellRate}/s)`]: { value: pacedSummary.p99Ms, bar: "<= 100", pass: pacedSummary.p99Ms <= 100 } }
        : {}),
      "p99Ms (median, saturation bells)": { value: summary.p99Ms, bar: "(report)", pass: true },
      lostAbsences: { value: check.lost, bar: "0", pass: check.lost === 0 },
      duplicatedAbsences: { value: check.duplicated, bar: "0", pass: check.duplicated === 0 },
      errors: { value: bells.reduce((n, b) => n + b.errors, 0), bar: "0", pass: bells.every((b) => b.errors === 0) },
      [`schoolStatsP99Ms (${opts.termDays} days)`]: { value: stats.school.p99, bar: "<= 100", pass: stats.school.p99 <= 100 && stats.school.errors === 0 },
    };
    printTable("bars", Object.entries(bars).map(([figure, b]) => ({ figure, ...b })));
    return { scenario: "attendance", setup: setup.figures, bells, median: summary, pacedMedian: pacedSummary, durable: check, stats, bars };
  } finally {
    saveServerLog(server, "attendance");
    await mongo.close();
    await server.stop();
  }
}

interface Setup {
  admin: TestUser;
  teachers: TestUser[];
  /** Group ids, ten per teacher in order. */
  groups: string[];
  students: Map<string, string[]>;
  /** What the teachers reported: lesson id -> student -> kind. */
  sent: Map<string, Map<string, AbsenceKind>>;
  date: string;
  figures: Record<string, number>;
}

async function setUp(server: TestServer, opts: AttendanceBenchOptions): Promise<Setup> {
  const admin = await logInAdmin(server);
  const t0 = performance.now();
  const schools = await inParallel(opts.schools, 20, (i) =>
    must(gql(server, CreateSchoolDocument, { input: { name: `Bench School ${i + 1}`, region: `Region ${(i % opts.regions) + 1}` } }, admin.token)).then((d) => d.createSchool.id),
  );
  const groups = await inParallel(opts.groups, 20, (i) =>
    must(gql(server, CreateGroupDocument, { input: { schoolId: schools[i % schools.length], name: `Class ${i + 1}` } }, admin.token)).then((d) => d.createGroup.id),
  );
  const teachers = await inParallel(opts.teachers, 25, () => signUp(server, "INSTRUCTOR"));
  const perTeacher = Math.ceil(opts.groups / opts.teachers);
  await inParallel(groups.length, 50, (i) => must(gql(server, AssignGroupTeacherDocument, { groupId: groups[i], teacherId: teachers[Math.floor(i / perTeacher)].id }, admin.token)));
  const setupSec = (performance.now() - t0) / 1000;

  // Rosters: names of new students, 10,000 rows per call.
  const rows = groups.flatMap((groupId) => Array.from({ length: opts.studentsPerGroup }, (_, i) => ({ groupId, name: `Pupil ${i + 1}` })));
  const students = new Map<string, string[]>();
  const r0 = performance.now();
  const callMs: number[] = [];
  for (let i = 0; i < rows.length; i += 10_000) {
    const c0 = performance.now();
    const chunk = rows.slice(i, i + 10_000);
    const ids = (await must(gql(server, ImportRosterDocument, { input: { rows: chunk } }, admin.token))).importRoster.studentIds;
    callMs.push(performance.now() - c0);
    chunk.forEach((row, j) => students.set(row.groupId, [...(students.get(row.groupId) ?? []), ids[j]]));
  }
  const importSec = (performance.now() - r0) / 1000;
  const figures = {
    schools: schools.length,
    groups: groups.length,
    teachers: teachers.length,
    students: rows.length,
    setupSec: round(setupSec),
    rosterImportSec: round(importSec),
    rosterRowsPerSec: Math.round(rows.length / importSec),
    rosterCallMaxMs: Math.round(Math.max(...callMs)),
  };
  printTable("set-up (API): schools, groups, teachers; rosters by importRoster (10,000 rows a call)", [figures]);
  return { admin, teachers, groups, students, sent: new Map(), date: new Date().toISOString().slice(0, 10), figures };
}

/** Before the bell: every teacher's app asks for its groups at once, over the teacher's own connection. */
async function openRegisterScreens(pool: Pool, s: Setup): Promise<void> {
  const query = source(MyGroupsDocument);
  await Promise.all(
    s.teachers.map(async (teacher) => {
      const { body } = await postGraphQL<{ myGroups: unknown[] }>(pool, teacher.token, query);
      if (!body.data?.myGroups.length) throw new Error(`myGroups before the bell: ${JSON.stringify(body.errors ?? body)}`);
    }),
  );
}

type BellRow = Awaited<ReturnType<typeof bell>>;

/** One bell (period): every teacher's registers, as fast as the answers come (rate 0) or offered at `rate` mutations/s. */
async function bell(server: TestServer, pool: Pool, s: Setup, period: number, rate: number) {
  const random = mulberry32(period);
  const perTeacher = Math.ceil(s.groups.length / s.teachers.length);
  const report = source(ReportAbsenceBriefDocument);
  const complete = source(CompleteLessonBriefDocument);
  const latencies: number[] = [];
  let errors = 0;
  const firstErrors: string[] = [];
  // `due`: when the request was meant to go out. Latency counts from then (a teacher held up by a
  // slow answer sends late, and that wait is part of its next request's latency).
  const post = async (token: string, query: string, variables: unknown, due: number) => {
    const { status, body } = await postGraphQL(pool, token, query, variables);
    latencies.push(performance.now() - due);
    if (!body.data || body.errors) {
      errors++;
      if (firstErrors.length < 3) firstErrors.push(JSON.stringify(body.errors ?? status));
    }
  };
  const rss = sampleRss(server.proc.pid!);
  const profile = await profileWindow(server, `attendance-bell-${period}`);
  const cpuUsed = cpuMeter([server.proc.pid!], server.env);
  const started = performance.now();
  await Promise.all(
    s.teachers.map(async (teacher, t) => {
      let k = 0;
      // Paced: the teachers' k-th requests are spread so that all of them together offer `rate` a second.
      const send = async (query: string, variables: unknown) => {
        const due = rate > 0 ? started + ((k++ * s.teachers.length + t) * 1000) / rate : performance.now();
        if (due > performance.now()) await sleep(due - performance.now());
        await post(teacher.token, query, variables, due);
      };
      for (const groupId of s.groups.slice(t * perTeacher, (t + 1) * perTeacher)) {
        const roster = s.students.get(groupId)!;
        const n = Math.floor(random() * 5);
        const chosen = new Set<string>();
        while (chosen.size < n) chosen.add(roster[Math.floor(random() * roster.length)]);
        const absences = [...chosen].map((studentId) => {
          const kind = ABSENCE_KINDS[Math.floor(random() * ABSENCE_KINDS.length)];
          return { studentId, kind, reason: kind === "APPROVED_ACTIVITY" ? "sports day" : null };
        });
        s.sent.set(`${groupId}:${s.date}:${period}`, new Map(absences.map((a) => [a.studentId, a.kind])));
        await send(report, { input: { groupId, date: s.date, period, absences } });
        await send(complete, { groupId, date: s.date, period });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuUsed.stop(latencies.length); // one operation: one mutation (reportAbsence or completeLesson)
  await profile.stop();
  latencies.sort((x, y) => x - y);
  if (firstErrors.length) console.log(`bell ${period} errors (first ${firstErrors.length}):`, firstErrors);
  return {
    bell: period,
    offered: rate > 0 ? `${rate}/s` : "max",
    mutations: latencies.length,
    seconds: round(seconds),
    mutationsPerSec: Math.round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? NaN),
    ...cpu,
    errors,
    peakRssMb: rss.stop(),
  };
}

/** Waits (at most 2 minutes) until MongoDB holds the completed registers of `bells` bells; returns the seconds waited. */
async function writerDrained(mongo: MongoClient, s: Setup, bells: number): Promise<number> {
  const lessons = mongo.db().collection("lessons");
  const t0 = performance.now();
  while ((await lessons.countDocuments({ date: s.date, status: "COMPLETED" })) < s.groups.length * bells && performance.now() - t0 < 120_000) await sleep(250);
  return (performance.now() - t0) / 1000;
}

/** Waits for the batched writer, then compares every stored register with what was sent. */
async function verify(server: TestServer, mongo: MongoClient, s: Setup, bells: number) {
  const lessons = mongo.db().collection("lessons");
  const drainSec = await writerDrained(mongo, s, bells);
  const docs = await lessons.find({ date: s.date }).project({ absences: 1, status: 1, roster: 1 }).toArray();
  let lost = 0;
  let duplicated = 0;
  let wrongKind = 0;
  let sentMarks = 0;
  const stored = new Map(docs.map((d) => [String(d._id), d]));
  for (const [id, marks] of s.sent) {
    sentMarks += marks.size;
    const doc = stored.get(id);
    const got = (doc?.absences ?? []) as { student: unknown; kind: string }[];
    const seen = new Map<string, number>();
    for (const a of got) seen.set(String(a.student), (seen.get(String(a.student)) ?? 0) + 1);
    for (const [student, kind] of marks) {
      if (!seen.has(student)) lost++;
      else if (got.find((a) => String(a.student) === student)!.kind !== kind) wrongKind++;
    }
    for (const [student, n] of seen) duplicated += n - 1 + (marks.has(student) ? 0 : 1);
  }
  // The rollups agree with the registers: every region's statistics for the day, summed.
  let regionLessons = 0;
  for (let r = 1; r <= 20; r++) {
    const st = await gql(server, AttendanceStatsDocument, { scope: "REGION", id: `Region ${r}`, from: s.date, to: s.date }, s.admin.token);
    regionLessons += st.data?.attendanceStats.lessons ?? 0;
  }
  return {
    lessonsSent: s.sent.size,
    lessonsStored: docs.length,
    completedStored: docs.filter((d) => d.status === "COMPLETED").length,
    marksSent: sentMarks,
    lost,
    duplicated,
    wrongKind,
    regionRollupLessons: regionLessons,
    writerDrainSec: round(drainSec),
  };
}

/** attendanceStats over a generated 190-school-day term of one school (30 groups x 30, 6 periods). */
async function statsBenchmark(server: TestServer, opts: AttendanceBenchOptions) {
  const config = loadConfig({ ...server.env, NODE_ENV: "test" });
  const runtime = await createRuntime(config, createLogger("warn"));
  let school: { schoolId: string; groupIds: string[]; from: string; to: string } | undefined;
  const totals = await generateDataset(
    {
      regions: 1,
      schoolsPerRegion: 1,
      groupsPerSchool: 30,
      studentsPerGroup: 30,
      days: opts.termDays,
      periodsPerDay: 6,
      markRate: 0.08,
      timeZone: "UTC",
      seed: 7,
      regionPrefix: "Term region",
    },
    runtime.services.attendanceEngine,
    config.ATTENDANCE_CORRECTION_DAYS,
    (s) => {
      school = s;
    },
  );
  await runtime.close();
  const generated = { ...totals, lessonsPerSec: Math.round(totals.lessons / (totals.ms / 1000)) };
  printTable("generated term (dataset generator: insertMany + Redis rollups)", [generated]);
  const admin = await logInAdmin(server);
  const teacher = await signUp(server, "INSTRUCTOR");
  await must(gql(server, AssignGroupTeacherDocument, { groupId: school!.groupIds[0], teacherId: teacher.id }, admin.token));
  const lessons = opts.termDays * 30 * 6;
  // One operation: one attendanceStats request.
  const run = async (scope: "SCHOOL" | "GROUP", id: string, expectLessons: number) => {
    const meter = cpuMeter([server.proc.pid!], server.env);
    const { requestsPerSec, p50, p95, p99, ...rest } = await httpLoad({
      url: server.url,
      body: JSON.stringify({ query: source(AttendanceStatsDocument), variables: { scope, id, from: school!.from, to: school!.to } }),
      headers: { authorization: `Bearer ${teacher.token}` },
      connections: 10,
      durationSec: opts.statsDurationSec,
      verify: (b) => b.includes(`"lessons":${expectLessons},`),
    });
    return { requestsPerSec, p50, p95, p99, ...meter.stop(rest.total), ...rest };
  };
  const schoolRun = await run("SCHOOL", school!.schoolId, lessons);
  const groupRun = await run("GROUP", school!.groupIds[0], lessons / 30);
  printTable(`attendanceStats over ${opts.termDays} school days (${school!.from}..${school!.to}), 10 connections, ${opts.statsDurationSec} s, latency ms, CPU µs per request`, [
    { scope: "SCHOOL", ...schoolRun },
    { scope: "GROUP", ...groupRun },
  ]);
  return { generated, school: schoolRun, group: groupRun };
}
