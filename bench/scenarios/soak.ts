// Soak (issue #7): mixed traffic across every domain at a moderate, steady rate for a long time, to
// measure drift rather than saturation. One deployment (BENCH_SOAK_INSTANCES server processes sharing
// MongoDB and Redis; HTTP requests round-robin over them, each user's socket pinned to one).
//
// Traffic is open-loop: a scheduler issues BENCH_SOAK_RATE operations per second whatever the answers
// take (an operation is dropped and counted when BENCH_SOAK_MAX_IN_FLIGHT are outstanding), split by
// domain (BENCH_SOAK_MIX). Each domain's clients keep their own state and send what a real client
// would send next:
// - accounts: signUp, logIn, me;
// - enrollment: enroll / disenroll over small courses with waitlists (COURSE_FULL is an intended
//   conflict), myEnrollments, course; every student holds myEnrollmentChanged, staff courseSeatsChanged;
// - office hours: staff on duty callNext, the student acceptInvite, endMeeting after
//   BENCH_SOAK_MEETING_MS, students join again; students hold myQueueEntryChanged, staff queueChanged
//   and officeHoursStatusChanged, OBSERVER dashboards queueChanged; officeHoursQueue reads;
// - quizzes: LIVE quizzes one after another per course (createQuiz, every player joinQuiz, then per
//   question startQuestion and every player answer, closeQuiz); players hold questionStarted and
//   some leaderboardChanged for the quiz's life (subscribed on join, dropped at the close);
//   leaderboard / myQuizResult reads;
// - attendance: teachers reportAbsence then completeLesson register after register over the last
//   five school days (enough groups that each register is taken once in the run), attendanceStats;
//   teachers and OBSERVER dashboards hold attendanceChanged; an ADMIN holds the whole domainEvents feed.
//
// After BENCH_SOAK_WARMUP_SEC of the same traffic, BENCH_SOAK_MINUTES are measured in
// BENCH_SOAK_WINDOWS windows. Bars: server RSS growth <= 10% (mean of the last 30 s vs the first 30 s
// after warm-up), p99 drift <= 20% (last window vs first window, overall and per operation with at
// least BENCH_SOAK_MIN_SAMPLES in both), no error other than intended domain conflicts, and no
// subscription left on the server once the clients have gone.
import { benchDeploymentEnv, SERVER_ENV } from "../lib/deployment";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { Client } from "graphql-ws";
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Pool } from "undici";
import {
  AcceptInviteDocument,
  AnswerDocument,
  AssignGroupTeacherDocument,
  AssignInstructorDocument,
  AttendanceChangedDocument,
  AttendanceStatsDocument,
  CallNextDocument,
  CloseQuizDocument,
  CompleteLessonBriefDocument,
  CourseDocument,
  CourseSeatsChangedDocument,
  CreateGroupDocument,
  CreateQuizDocument,
  CreateSchoolDocument,
  DisenrollDocument,
  DomainEventsDocument,
  EndMeetingDocument,
  EnrollDocument,
  ImportRosterDocument,
  JoinQueueDocument,
  JoinQuizDocument,
  LeaderboardChangedDocument,
  LeaderboardDocument,
  LogInDocument,
  MeDocument,
  MyEnrollmentChangedDocument,
  MyEnrollmentsDocument,
  MyQueueEntryChangedDocument,
  MyQuizResultDocument,
  OfficeHoursQueueDocument,
  OfficeHoursStatusChangedDocument,
  OpenOfficeHoursDocument,
  QueueChangedDocument,
  QueueDashboardDocument,
  QuestionStartedDocument,
  ReportAbsenceBriefDocument,
  SignUpDocument,
  StartQuestionDocument,
} from "../../operations/generated";
import { mulberry32 } from "../../scripts/lib/random";
import { gql, source, wsClient } from "../../test/support/client";
import { accountWithRole, createCourse, logInAdmin, signUp, uniqueEmail, type TestUser } from "../../test/support/factories";
import { questions } from "../../test/support/quizzes";
import { startServer, type TestServer } from "../../test/support/server";
import { percentile, printTable, sleep, treeRssMb, type Row } from "../lib/measure";
import { inParallel, must } from "../lib/setup";
import { ABSENCE_KINDS } from "../../src/models/attendance";

const DOMAINS = ["accounts", "enrollment", "officeHours", "quizzes", "attendance"] as const;
export type Domain = (typeof DOMAINS)[number];

export interface SoakOptions {
  minutes: number;
  /** Operations per second, all domains together. */
  rate: number;
  warmupSec: number;
  windows: number;
  instances: number;
  /** Keep-alive HTTP connections per instance. */
  connections: number;
  maxInFlight: number;
  /** An operation's p99 drift is judged only with at least this many samples in the first and last window. */
  minSamples: number;
  meetingMs: number;
  /** Share of the rate per domain (normalised). */
  mix: Record<Domain, number>;
  seed: number;
  /** Write V8 heap snapshots of each instance after warm-up, halfway and at the end (to bench/results/heap/). */
  heapSnapshots: boolean;
  /** The server's MongoDB pool (maxPoolSize in MONGO_URL; 0 keeps MONGO_URL's, or the server's default). */
  mongoPool: number;
}

/** `accounts=15,enrollment=20,...` over the defaults. */
export function parseMix(text: string | undefined): Record<Domain, number> {
  const mix: Record<Domain, number> = { accounts: 15, enrollment: 20, officeHours: 15, quizzes: 25, attendance: 25 };
  for (const part of (text ?? "").split(",").filter(Boolean)) {
    const [name, value] = part.split("=");
    if (!(DOMAINS as readonly string[]).includes(name) || !(Number(value) >= 0)) throw new Error(`BENCH_SOAK_MIX: bad entry "${part}" (domains: ${DOMAINS.join(", ")})`);
    mix[name as Domain] = Number(value);
  }
  return mix;
}

// Scale of the population (fixed: the soak is about time, not size).
const ENROLL_STUDENTS = 120;
const ENROLL_COURSES = 16;
const MAX_COURSES_PER_STUDENT = 4;
const OH_COURSES = 4;
const OH_STUDENTS = 12;
const OH_DASHBOARDS = 2;
const OH_MAX_WAITING = 6;
const QUIZ_COURSES = 2;
const QUIZ_PLAYERS = 25;
const QUIZ_QUESTIONS = 5;
const QUIZ_BOARD_WATCHERS = 10;
const TEACHERS = 6;
const PUPILS_PER_GROUP = 25;
const PERIODS = 24;
const PAST_DAYS = 5;
const PASSWORD = "correct horse battery"; // factories.signUp's

// ---- recording -----------------------------------------------------------------------------------

interface OpStats {
  warmup: number;
  ok: number;
  conflicts: Map<string, number>;
  errors: Map<string, number>;
  /** Latencies (ms) per measured window, by start time. */
  windows: number[][];
  windowErrors: number[];
}

class Recorder {
  /** performance.now() when measuring began; 0 while warming up. */
  measureStart = 0;
  readonly ops = new Map<string, OpStats>();
  readonly subs = new Map<string, { warmup: number; windows: number[]; errors: Map<string, number> }>();
  readonly samples = new Map<string, string[]>();
  dropped = [0, 0];

  constructor(
    readonly windowMs: number,
    readonly windows: number,
  ) {}

  /** -1 while warming up, else the window index. */
  window(t = performance.now()): number {
    if (!this.measureStart || t < this.measureStart) return -1;
    return Math.min(this.windows - 1, Math.floor((t - this.measureStart) / this.windowMs));
  }

  private op(name: string): OpStats {
    let s = this.ops.get(name);
    if (!s) this.ops.set(name, (s = { warmup: 0, ok: 0, conflicts: new Map(), errors: new Map(), windows: Array.from({ length: this.windows }, () => []), windowErrors: new Array(this.windows).fill(0) }));
    return s;
  }

  record(name: string, t0: number, ms: number, kind: "ok" | "conflict" | "error", detail = "", sample = "") {
    const s = this.op(name);
    const w = this.window(t0);
    if (w < 0) s.warmup++;
    else s.windows[w].push(ms);
    if (kind === "ok") s.ok++;
    else bump(kind === "conflict" ? s.conflicts : s.errors, detail);
    if (kind === "error") {
      if (w >= 0) s.windowErrors[w]++;
      const key = `${name} ${detail}`;
      const list = this.samples.get(key) ?? [];
      if (list.length < 3) this.samples.set(key, [...list, sample.slice(0, 300)]);
    }
  }

  private sub(label: string) {
    let s = this.subs.get(label);
    if (!s) this.subs.set(label, (s = { warmup: 0, windows: new Array(this.windows).fill(0), errors: new Map() }));
    return s;
  }

  delivery(label: string) {
    const s = this.sub(label);
    const w = this.window();
    if (w < 0) s.warmup++;
    else s.windows[w]++;
  }

  subError(label: string, detail: string) {
    bump(this.sub(label).errors, detail.slice(0, 120));
  }
}

function bump(m: Map<string, number>, key: string) {
  m.set(key, (m.get(key) ?? 0) + 1);
}

interface Outcome<T> {
  data?: T;
  code?: string;
  reason?: string;
}

/** HTTP client: undici keep-alive pools, one per instance, requests round-robin over them. */
class Api {
  inFlight = 0;
  private next = 0;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly pools: Pool[],
    private readonly rec: Recorder,
  ) {}

  call<T, V>(op: string, doc: TypedDocumentNode<T, V>, variables: V, token?: string, intended: readonly string[] = []): Promise<Outcome<T>> {
    const p = this.send(op, doc, variables, token, intended);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async send<T, V>(op: string, doc: TypedDocumentNode<T, V>, variables: V, token: string | undefined, intended: readonly string[]): Promise<Outcome<T>> {
    const pool = this.pools[this.next++ % this.pools.length];
    this.inFlight++;
    const t0 = performance.now();
    try {
      const res = await pool.request({
        path: "/graphql",
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: source(doc), variables }),
      });
      const text = await res.body.text();
      const ms = performance.now() - t0;
      let body: { data?: T | null; errors?: { message?: string; extensions?: { code?: string; reason?: string } }[] };
      try {
        body = JSON.parse(text);
      } catch {
        this.rec.record(op, t0, ms, "error", `HTTP_${res.statusCode}`, text);
        return { code: `HTTP_${res.statusCode}` };
      }
      if (body.data && !body.errors?.length) {
        this.rec.record(op, t0, ms, "ok");
        return { data: body.data };
      }
      const ext = body.errors?.[0]?.extensions ?? {};
      const code = String(ext.code ?? `HTTP_${res.statusCode}`);
      const reason = ext.reason ? String(ext.reason) : undefined;
      if (reason && intended.includes(reason)) this.rec.record(op, t0, ms, "conflict", reason);
      else this.rec.record(op, t0, ms, "error", reason ? `${code}/${reason}` : code, JSON.stringify(body.errors));
      return { code, reason };
    } catch (e) {
      this.rec.record(op, t0, performance.now() - t0, "error", `TRANSPORT/${(e as Error).name}`, String(e));
      return { code: "TRANSPORT" };
    } finally {
      this.inFlight--;
    }
  }
}

/** graphql-ws clients, one socket per user (as a browser tab would), each pinned to one instance. */
class Sockets {
  private readonly clients = new Map<string, Client>();
  private nextInstance = 0;

  constructor(
    private readonly servers: TestServer[],
    private readonly rec: Recorder,
  ) {}

  get count() {
    return this.clients.size;
  }

  private client(key: string, token: string): Client {
    let c = this.clients.get(key);
    if (!c) {
      const server = this.servers[this.nextInstance++ % this.servers.length];
      c = wsClient(server, token, { lazy: false, keepAlive: 0, onNonLazyError: (e) => this.rec.subError("socket", String((e as Error)?.message ?? e)) });
      c.on("closed", (e) => {
        const code = (e as { code?: number })?.code;
        if (!this.closing) this.rec.subError("socket", `closed ${code}`);
      });
      this.clients.set(key, c);
    }
    return c;
  }

  private closing = false;

  /** Subscribes on the user's socket; returns the unsubscribe function. */
  subscribe<T, V>(label: string, user: { id: string; token: string }, doc: TypedDocumentNode<T, V>, variables: V, onData?: (d: T) => void): () => void {
    return this.client(user.id, user.token).subscribe<T>(
      { query: source(doc), variables: variables as Record<string, unknown> },
      {
        next: (v) => {
          if (v.errors?.length) this.rec.subError(label, JSON.stringify(v.errors[0].extensions?.code ?? v.errors[0].message));
          else {
            this.rec.delivery(label);
            onData?.(v.data as T);
          }
        },
        error: (e) => this.rec.subError(label, e instanceof Error ? e.message : JSON.stringify(e)),
        complete: () => undefined,
      },
    );
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.clients.values()].map((c) => c.dispose()));
    this.clients.clear();
  }
}

// ---- the domains' clients ------------------------------------------------------------------------

interface Ctx {
  api: Api;
  sockets: Sockets;
  rec: Recorder;
  random: () => number;
  opts: SoakOptions;
}

const pick = <T>(ctx: Ctx, items: readonly T[]): T => items[Math.floor(ctx.random() * items.length)];

/** A random item that passes `ok`, trying a few random picks and then a scan from a random start. */
function pickWhere<T>(ctx: Ctx, items: readonly T[], ok: (t: T) => boolean): T | undefined {
  for (let i = 0; i < 4; i++) {
    const t = pick(ctx, items);
    if (ok(t)) return t;
  }
  const start = Math.floor(ctx.random() * items.length);
  for (let i = 0; i < items.length; i++) {
    const t = items[(start + i) % items.length];
    if (ok(t)) return t;
  }
  return undefined;
}

interface Driver {
  step(): Promise<unknown>;
}

class AccountsDriver implements Driver {
  constructor(
    private readonly ctx: Ctx,
    readonly accounts: TestUser[],
  ) {}

  step() {
    const { api } = this.ctx;
    const r = this.ctx.random();
    if (r < 0.05) {
      const email = uniqueEmail("soak");
      return api
        .call("signUp", SignUpDocument, { input: { email, password: PASSWORD, name: "Soak Student", role: "STUDENT", sex: r < 0.025 ? "FEMALE" : "MALE" } })
        .then((o) => {
          if (o.data) this.accounts.push({ id: o.data.signUp.user.id, email, password: PASSWORD, token: o.data.signUp.token, role: "STUDENT" });
        });
    }
    const user = pick(this.ctx, this.accounts);
    if (r < 0.25) return api.call("logIn", LogInDocument, { email: user.email, password: user.password });
    return api.call("me", MeDocument, {}, user.token);
  }
}

interface EnrollStudent {
  user: TestUser;
  courses: Set<string>;
  busy: boolean;
}

class EnrollmentDriver implements Driver {
  constructor(
    private readonly ctx: Ctx,
    private readonly students: EnrollStudent[],
    private readonly courses: string[],
  ) {}

  async step() {
    const { api } = this.ctx;
    const s = this.ctx.random() < 0.15 ? undefined : pickWhere(this.ctx, this.students, (x) => !x.busy);
    if (!s) {
      const reader = pick(this.ctx, this.students).user;
      if (this.ctx.random() < 0.5) return api.call("myEnrollments", MyEnrollmentsDocument, {}, reader.token);
      return api.call("course", CourseDocument, { id: pick(this.ctx, this.courses) }, reader.token);
    }
    s.busy = true;
    try {
      const enroll = s.courses.size === 0 || (s.courses.size < MAX_COURSES_PER_STUDENT && this.ctx.random() < 0.5);
      if (enroll) {
        const courseId = pickWhere(this.ctx, this.courses, (c) => !s.courses.has(c))!;
        const o = await api.call("enroll", EnrollDocument, { courseId }, s.user.token, ["COURSE_FULL"]);
        if (o.data) s.courses.add(courseId);
      } else {
        const courseId = pick(this.ctx, [...s.courses]);
        const o = await api.call("disenroll", DisenrollDocument, { courseId }, s.user.token);
        if (o.data || o.reason === "NOT_ENROLLED") s.courses.delete(courseId);
      }
    } finally {
      s.busy = false;
    }
  }
}

interface OhStudent {
  user: TestUser;
  state: "FREE" | "WAITING" | "INVITED" | "MEETING";
  busy: boolean;
}
interface OhStaff {
  user: TestUser;
  course: OhCourse;
  state: "AVAILABLE" | "INVITED" | "MEETING";
  entryId?: string;
  student?: OhStudent;
  since: number;
  busy: boolean;
}
interface OhCourse {
  id: string;
  staff: OhStaff[];
  students: OhStudent[];
  /** Students waiting as far as this client knows, less the calls under way. */
  waiting: number;
}

class OfficeHoursDriver implements Driver {
  private readonly staff: OhStaff[];
  callNextEmpty = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly courses: OhCourse[],
  ) {
    this.staff = courses.flatMap((c) => c.staff);
  }

  /** The next thing a client would do: end a meeting that has run its time, accept an invite, call, join; else read the line. */
  async step() {
    const { api, opts } = this.ctx;
    const now = performance.now();
    const ending = pickWhere(this.ctx, this.staff, (s) => !s.busy && s.state === "MEETING" && now - s.since >= opts.meetingMs);
    if (ending) {
      ending.busy = true;
      const o = await api.call("endMeeting", EndMeetingDocument, { entryId: ending.entryId! }, ending.user.token);
      // Busy or unreachable: the meeting goes on, and is ended at a later step.
      if (o.data || !retryable(o.code)) {
        ending.student!.state = "FREE";
        ending.state = "AVAILABLE";
        ending.student = ending.entryId = undefined;
      }
      ending.busy = false;
      return;
    }
    const accepting = pickWhere(this.ctx, this.staff, (s) => !s.busy && s.state === "INVITED");
    if (accepting) {
      accepting.busy = true;
      const student = accepting.student!;
      student.busy = true;
      const o = await api.call("acceptInvite", AcceptInviteDocument, { entryId: accepting.entryId! }, student.user.token);
      if (o.data) {
        student.state = accepting.state = "MEETING";
        accepting.since = performance.now();
      } else if (!retryable(o.code)) {
        student.state = "FREE";
        accepting.state = "AVAILABLE";
        accepting.student = accepting.entryId = undefined;
      }
      student.busy = accepting.busy = false;
      return;
    }
    const calling = pickWhere(this.ctx, this.staff, (s) => !s.busy && s.state === "AVAILABLE" && s.course.waiting > 0);
    if (calling) {
      calling.busy = true;
      const course = calling.course;
      course.waiting--; // reserved, so two staff of one course never call for the last student
      const o = await api.call("callNext", CallNextDocument, { courseId: course.id }, calling.user.token);
      const entry = o.data?.callNext;
      const student = entry ? course.students.find((s) => s.user.id === entry.student?.id) : undefined;
      if (entry && student) {
        calling.state = "INVITED";
        calling.entryId = entry.id;
        calling.student = student;
        student.state = "INVITED";
      } else {
        course.waiting++;
        if (o.data) this.callNextEmpty++;
      }
      calling.busy = false;
      return;
    }
    const course = pickWhere(this.ctx, this.courses, (c) => c.waiting < OH_MAX_WAITING && c.students.some((s) => !s.busy && s.state === "FREE"));
    const joiner = course && pickWhere(this.ctx, course.students, (s) => !s.busy && s.state === "FREE");
    if (course && joiner) {
      joiner.busy = true;
      const o = await api.call("joinQueue", JoinQueueDocument, { courseId: course.id, question: "Why does my proof of lemma 3 fail?" }, joiner.user.token);
      if (o.data) {
        joiner.state = "WAITING";
        course.waiting++;
      }
      joiner.busy = false;
      return;
    }
    const c = pick(this.ctx, this.courses);
    const reader = this.ctx.random() < 0.5 ? pick(this.ctx, c.students).user : pick(this.ctx, c.staff).user;
    return api.call("officeHoursQueue", OfficeHoursQueueDocument, { courseId: c.id }, reader.token);
  }
}

/** The answers a client tries again (the invite still runs for INVITE_TTL_SECONDS). */
const retryable = (code: string | undefined) => code === "SERVICE_UNAVAILABLE" || code === "TRANSPORT";

interface QuizPlayer {
  user: TestUser;
  unsubscribe: Array<() => void>;
}
interface QuizLine {
  courseId: string;
  host: TestUser;
  players: QuizPlayer[];
  phase: "create" | "join" | "start" | "answer" | "close";
  quizId?: string;
  question: number;
  questionId?: string;
  /** Players still to join / answer in this phase. */
  todo: QuizPlayer[];
  inFlight: number;
}

class QuizzesDriver implements Driver {
  closedPushes = 0;
  quizzesRun = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly lines: QuizLine[],
  ) {}

  step() {
    const start = Math.floor(this.ctx.random() * this.lines.length);
    for (let i = 0; i < this.lines.length; i++) {
      const p = this.advance(this.lines[(start + i) % this.lines.length]);
      if (p) return p;
    }
    // Every line waits for answers in flight: read standings instead.
    const line = pickWhere(this.ctx, this.lines, (l) => !!l.quizId);
    if (!line) return Promise.resolve();
    // A player who has joined this quiz (their subscriptions are held from the join to the close).
    const player = this.ctx.random() < 0.5 ? pickWhere(this.ctx, line.players, (p) => p.unsubscribe.length > 0) : undefined;
    if (!player) return this.ctx.api.call("leaderboard", LeaderboardDocument, { quizId: line.quizId!, first: 10 }, line.host.token);
    return this.ctx.api.call("myQuizResult", MyQuizResultDocument, { quizId: line.quizId! }, player.user.token);
  }

  private track(line: QuizLine, p: Promise<unknown>) {
    line.inFlight++;
    return p.finally(() => line.inFlight--);
  }

  private advance(line: QuizLine): Promise<unknown> | undefined {
    const { api, sockets } = this.ctx;
    if (line.todo.length) {
      const player = line.todo.pop()!;
      if (line.phase === "join") {
        return this.track(
          line,
          api.call("joinQuiz", JoinQuizDocument, { quizId: line.quizId! }, player.user.token).then((o) => {
            if (!o.data) return;
            const watch = line.players.indexOf(player) < QUIZ_BOARD_WATCHERS;
            player.unsubscribe.push(sockets.subscribe("questionStarted", player.user, QuestionStartedDocument, { quizId: line.quizId! }));
            if (watch) {
              const off = sockets.subscribe("leaderboardChanged", player.user, LeaderboardChangedDocument, { quizId: line.quizId!, first: 10 }, (d) => {
                if (d.leaderboardChanged.closed) {
                  this.closedPushes++;
                  setImmediate(off);
                }
              });
              player.unsubscribe.push(off);
            }
          }),
        );
      }
      const choice = Math.floor(this.ctx.random() * 4);
      return this.track(line, api.call("answer", AnswerDocument, { quizId: line.quizId!, questionId: line.questionId!, choice }, player.user.token));
    }
    if (line.inFlight) return undefined;
    switch (line.phase) {
      case "create":
        return this.track(
          line,
          api
            .call("createQuiz", CreateQuizDocument, { input: { courseId: line.courseId, title: "Soak quiz", mode: "LIVE", questions: questions(QUIZ_QUESTIONS, { timeLimitSeconds: 600 }) } }, line.host.token)
            .then((o) => {
              if (!o.data) return;
              line.quizId = o.data.createQuiz.id;
              line.question = 0;
              line.phase = "join";
              line.todo = [...line.players];
            }),
        );
      case "join":
      case "start":
        return this.track(
          line,
          api.call("startQuestion", StartQuestionDocument, { quizId: line.quizId! }, line.host.token).then((o) => {
            if (!o.data) return;
            line.questionId = o.data.startQuestion.id;
            line.question++;
            line.phase = "answer";
            line.todo = [...line.players];
          }),
        );
      case "answer":
        line.phase = line.question < QUIZ_QUESTIONS ? "start" : "close";
        return this.advance(line);
      case "close":
        return this.track(
          line,
          api.call("closeQuiz", CloseQuizDocument, { quizId: line.quizId! }, line.host.token).then((o) => {
            if (!o.data) return;
            this.quizzesRun++;
            line.phase = "create";
            // The closed push arrives within a moment; whatever is still subscribed then is dropped.
            const subs = line.players.flatMap((p) => p.unsubscribe.splice(0));
            setTimeout(() => subs.forEach((off) => off()), 3000);
          }),
        );
    }
  }
}

interface AttendanceGroup {
  id: string;
  pupils: string[];
  teacher: TestUser;
  daysAgo: number;
  period: number;
  completeNext: boolean;
  busy: boolean;
}

class AttendanceDriver implements Driver {
  constructor(
    private readonly ctx: Ctx,
    private readonly schoolId: string,
    private readonly groups: AttendanceGroup[],
  ) {}

  async step() {
    const { api, random } = this.ctx;
    // A register just reported is completed first (the teacher's app sends both at the end of the register).
    const g = random() < 0.15 ? undefined : (pickWhere(this.ctx, this.groups, (x) => !x.busy && x.completeNext) ?? pickWhere(this.ctx, this.groups, (x) => !x.busy));
    if (!g) {
      const reader = pick(this.ctx, this.groups);
      const school = random() < 0.3;
      return api.call(
        "attendanceStats",
        AttendanceStatsDocument,
        { scope: school ? "SCHOOL" : "GROUP", id: school ? this.schoolId : reader.id, from: dateAgo(30), to: dateAgo(0) },
        reader.teacher.token,
      );
    }
    g.busy = true;
    try {
      const date = dateAgo(g.daysAgo);
      if (!g.completeNext) {
        const marked = new Set<string>();
        const n = Math.floor(random() * 4);
        while (marked.size < n) marked.add(pick(this.ctx, g.pupils));
        const absences = [...marked].map((studentId) => {
          const kind = pick(this.ctx, ABSENCE_KINDS);
          return { studentId, kind, reason: kind === "APPROVED_ACTIVITY" ? "school choir" : null };
        });
        const o = await api.call("reportAbsence", ReportAbsenceBriefDocument, { input: { groupId: g.id, date, period: g.period, absences } }, g.teacher.token);
        if (o.data) g.completeNext = true;
      } else {
        await api.call("completeLesson", CompleteLessonBriefDocument, { groupId: g.id, date, period: g.period }, g.teacher.token);
        g.completeNext = false;
        if (++g.period > PERIODS) {
          g.period = 1;
          g.daysAgo = (g.daysAgo % PAST_DAYS) + 1;
        }
      }
    } finally {
      g.busy = false;
    }
  }
}

/** A UTC calendar date `days` before today (the soak's school is in UTC). */
function dateAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

// ---- set-up --------------------------------------------------------------------------------------

interface Population {
  admin: TestUser;
  /** The dashboards' account (OBSERVER). */
  observer: TestUser;
  accounts: TestUser[];
  enrollStudents: EnrollStudent[];
  enrollCourses: string[];
  enrollStaff: TestUser;
  ohCourses: OhCourse[];
  quizLines: QuizLine[];
  schoolId: string;
  groups: AttendanceGroup[];
  teachers: TestUser[];
}

/**
 * Enough groups that every register is taken once in the run (report, then complete): the traffic
 * stays the same kind from start to end instead of turning into corrections halfway.
 */
function groupsFor(opts: SoakOptions): number {
  const share = opts.mix.attendance / DOMAINS.reduce((n, d) => n + opts.mix[d], 0);
  const registers = (opts.rate * share * 0.85 * (opts.warmupSec + opts.minutes * 60)) / 2;
  return Math.max(12, Math.ceil((registers * 1.2) / (PERIODS * PAST_DAYS)));
}

async function setUp(server: TestServer, groupCount: number): Promise<Population> {
  const admin = await logInAdmin(server);
  const instructors = await inParallel(1 + OH_COURSES * 2 + QUIZ_COURSES + TEACHERS, 25, () => signUp(server, "INSTRUCTOR"));
  const studentCount = ENROLL_STUDENTS + OH_COURSES * OH_STUDENTS + QUIZ_COURSES * QUIZ_PLAYERS;
  const students = await inParallel(studentCount, 25, (i) => signUp(server, "STUDENT", { sex: i % 2 ? "FEMALE" : "MALE", name: `Soak Student ${i + 1}` }));
  const takeStudents = (() => {
    let at = 0;
    return (n: number) => students.slice(at, (at += n));
  })();
  const takeInstructor = (() => {
    let at = 0;
    return () => instructors[at++];
  })();

  // Enrollment: small courses (1 unit) with waitlists; students take at most four.
  const enrollStaff = takeInstructor();
  const enrollCourses = await inParallel(ENROLL_COURSES, 8, () =>
    createCourse(server, enrollStaff.token, { capacity: 10, reserveCapacity: 4, units: 1 }).then((c) => c.id),
  );
  const enrollStudents = takeStudents(ENROLL_STUDENTS).map((user) => ({ user, courses: new Set<string>(), busy: false }));

  // Office hours: owner and TA on duty in each course, students enrolled.
  const ohCourses: OhCourse[] = [];
  for (let i = 0; i < OH_COURSES; i++) {
    const [owner, ta] = [takeInstructor(), takeInstructor()];
    const { id } = await createCourse(server, owner.token, { capacity: OH_STUDENTS + 5, units: 0 });
    await must(gql(server, AssignInstructorDocument, { courseId: id, instructorId: ta.id }, owner.token));
    const course: OhCourse = { id, staff: [], students: [], waiting: 0 };
    course.staff = [owner, ta].map((user) => ({ user, course, state: "AVAILABLE", since: 0, busy: false }));
    course.students = takeStudents(OH_STUDENTS).map((user) => ({ user, state: "FREE", busy: false }));
    await inParallel(course.students.length, 12, (k) => must(gql(server, EnrollDocument, { courseId: id }, course.students[k].user.token)));
    for (const s of course.staff) await must(gql(server, OpenOfficeHoursDocument, { courseId: id, meetingLink: `https://meet.example.edu/${s.user.id}` }, s.user.token));
    ohCourses.push(course);
  }

  // Quizzes: a host and enrolled players per course.
  const quizLines: QuizLine[] = [];
  for (let i = 0; i < QUIZ_COURSES; i++) {
    const host = takeInstructor();
    const { id } = await createCourse(server, host.token, { capacity: QUIZ_PLAYERS + 5, units: 0 });
    const players = takeStudents(QUIZ_PLAYERS).map((user) => ({ user, unsubscribe: [] }));
    await inParallel(players.length, 12, (k) => must(gql(server, EnrollDocument, { courseId: id }, players[k].user.token)));
    quizLines.push({ courseId: id, host, players, phase: "create", question: 0, todo: [], inFlight: 0 });
  }

  // Attendance: one school in UTC, groups with a teacher each (two groups per teacher), rosters from 40 days ago.
  const schoolId = (await must(gql(server, CreateSchoolDocument, { input: { name: "Soak School", region: "Soak Region", timeZone: "UTC" } }, admin.token))).createSchool.id;
  const teachers = Array.from({ length: TEACHERS }, () => takeInstructor());
  const groupIds = await inParallel(groupCount, 6, (i) => must(gql(server, CreateGroupDocument, { input: { schoolId, name: `Soak ${i + 1}` } }, admin.token)).then((d) => d.createGroup.id));
  await inParallel(groupCount, 6, (i) => must(gql(server, AssignGroupTeacherDocument, { groupId: groupIds[i], teacherId: teachers[i % TEACHERS].id }, admin.token)));
  const rows = groupIds.flatMap((groupId) => Array.from({ length: PUPILS_PER_GROUP }, (_, k) => ({ groupId, name: `Pupil ${k + 1}` })));
  const ids = (await must(gql(server, ImportRosterDocument, { input: { rows, effectiveFrom: dateAgo(40) } }, admin.token))).importRoster.studentIds;
  const groups = groupIds.map((id, i) => ({
    id,
    pupils: ids.slice(i * PUPILS_PER_GROUP, (i + 1) * PUPILS_PER_GROUP),
    teacher: teachers[i % TEACHERS],
    daysAgo: (i % PAST_DAYS) + 1,
    period: 1,
    completeNext: false,
    busy: false,
  }));

  const observer = await accountWithRole(server, admin, "OBSERVER");
  return { admin, observer, accounts: [...students, ...instructors], enrollStudents, enrollCourses, enrollStaff, ohCourses, quizLines, schoolId, groups, teachers };
}

/** The long-lived subscriptions, held for the whole run. */
function holdSubscriptions(pop: Population, sockets: Sockets) {
  for (const s of pop.enrollStudents) sockets.subscribe("myEnrollmentChanged", s.user, MyEnrollmentChangedDocument, {});
  for (const courseId of pop.enrollCourses) sockets.subscribe("courseSeatsChanged", pop.enrollStaff, CourseSeatsChangedDocument, { courseId });
  for (const c of pop.ohCourses) {
    for (const s of c.students) sockets.subscribe("myQueueEntryChanged", s.user, MyQueueEntryChangedDocument, { courseId: c.id });
    for (const s of c.staff) {
      sockets.subscribe("queueChanged", s.user, QueueChangedDocument, { courseId: c.id });
      sockets.subscribe("officeHoursStatusChanged", s.user, OfficeHoursStatusChangedDocument, { courseId: c.id });
    }
    for (let i = 0; i < OH_DASHBOARDS; i++) {
      sockets.subscribe("queueChanged (dashboard)", { id: `oh-dashboard-${c.id}-${i}`, token: pop.observer.token }, QueueDashboardDocument, { courseId: c.id });
    }
  }
  for (const t of pop.teachers) sockets.subscribe("attendanceChanged", t, AttendanceChangedDocument, { schoolId: pop.schoolId });
  for (let i = 0; i < 2; i++) {
    sockets.subscribe("attendanceChanged", { id: `attendance-dashboard-${i}`, token: pop.observer.token }, AttendanceChangedDocument, { schoolId: pop.schoolId });
  }
  sockets.subscribe("domainEvents (all)", pop.admin, DomainEventsDocument, {});
}

// ---- server figures ------------------------------------------------------------------------------

const SCRAPED = [
  "nodejs_heap_size_used_bytes",
  "nodejs_heap_size_total_bytes",
  "nodejs_external_memory_bytes",
  "graphql_ws_open_sockets",
  "graphql_active_subscriptions",
  "nodejs_eventloop_lag_p99_seconds",
  "nodejs_active_handles_total",
] as const;
type Scrape = Record<(typeof SCRAPED)[number], number> & { t: number; backlog: number };

async function scrape(server: TestServer): Promise<Scrape> {
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
const round1 = (n: number) => Math.round(n * 10) / 10;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const drift = (first: number, last: number) => Math.round(((last - first) / first) * 1000) / 10;

// ---- the run -------------------------------------------------------------------------------------

export async function soakBenchmark(opts: SoakOptions) {
  const heapDir = join(__dirname, "..", "..", "..", "bench", "results", "heap");
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

function report(r: {
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
