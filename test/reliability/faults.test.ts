// Redis and the MongoDB-compatible server restarted under traffic. Each test runs its own
// redis-server and MongoDB stand-in (FerretDB 2.5 and its PostgreSQL cluster) on free ports
// (test/support/services.ts), two server instances behind the round-robin entry point, and a steady
// mix of operations through it. It kills one service (SIGKILL; for the stand-in, FerretDB SIGKILLed
// and its PostgreSQL stopped at once), keeps it down for OUTAGE_MS, starts it again on the same port and checks:
// - nothing hangs and nothing crashes: every answer is a success, a domain answer, or
//   SERVICE_UNAVAILABLE with the service's reason, and arrives within FAIL_FAST_LIMIT_MS;
// - what does not need the service keeps working (and what needs it does fail);
// - /healthz stays 200, /readyz is 503 during the outage and 200 after;
// - within 5 s of the service accepting connections again every operation succeeds;
// - a subscription opened before the outage (its socket never closes, the client does not
//   reconnect) receives an event caused after recovery;
// - every write acknowledged to a client reaches MongoDB (the log writers recover).
// The figures (fail-fast latency p50/max, recovery time) are printed as a FAULT_FIGURES line.
import { MongoClient, ObjectId } from "mongodb";
import {
  AnswerDocument,
  CallNextDocument,
  CourseSeatsChangedDocument,
  CoursesDocument,
  DisenrollDocument,
  EnrollDocument,
  JoinQueueDocument,
  LessonDocument,
  LogInDocument,
  MeDocument,
  MyEnrollmentChangedDocument,
  MyEnrollmentsDocument,
  MyQueueEntryDocument,
  OpenOfficeHoursDocument,
  ReportAbsenceDocument,
} from "../../operations/generated";
import { topics } from "../../src/events/catalogue";
import { classroom, utcDate } from "../attendance/fixtures";
import { connected, errorOf, gql, subscribe, wsClient } from "../support/client";
import { startCluster, type Cluster } from "../support/cluster";
import { createCourse, eventually, logInAdmin, signUp, type TestUser } from "../support/factories";
import { createQuiz, joinAll, questions, quizClass } from "../support/quizzes";
import { waitForSubscribers } from "../support/redis";
import { deploymentEnv, stopAll } from "../support/server";
import { privateMongo, privateRedis, type PrivateService } from "../support/services";
import { Traffic, percentile, type Operation, type Sample } from "../support/traffic";

const OUTAGE_MS = 5_000;
const RECOVERY_LIMIT_MS = 5_000;
/** No answer during an outage may take longer (MongoDB's bound is 1 s of server selection). */
const FAIL_FAST_LIMIT_MS = 2_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: PrivateService | undefined;
let mongo: PrivateService | undefined;
afterEach(async () => {
  await stopAll();
  await Promise.all([redis?.destroy(), mongo?.destroy()]);
  redis = mongo = undefined;
});

interface Deployment {
  cluster: Cluster;
  ops: Record<string, Operation>;
  /** Acknowledged writes, for the durability check. */
  acked: { answers: Map<string, number>; enrollments: Set<string> };
  quizId: string;
  enrollers: TestUser[];
  courseId: string;
  teacher: TestUser;
  /** The attendance group the traffic reports absences in (periods 1-6 of today). */
  room: { groupId: string; teacher: TestUser };
  /** A course only the subscription and job checks touch (its teacher is staff, its student enrolled). */
  probe: { courseId: string; student: TestUser };
}

/** Private services, two instances, and the operations the traffic mixes (all through the entry point). */
async function deploy(): Promise<Deployment> {
  [redis, mongo] = await Promise.all([privateRedis(), privateMongo()]);
  const env = deploymentEnv({
    MONGO_URL: mongo.url,
    REDIS_URL: redis.url,
    DEFAULT_REMAINING_CHANGES: "1000",
    LOGIN_LIMIT_PER_IP: "100000",
    LOGIN_LIMIT_PER_ACCOUNT: "100000",
    INVITE_TTL_SECONDS: "2",
  });
  const cluster = await startCluster(2, env);
  const { entry } = cluster;
  const admin = await logInAdmin(cluster.instances[0]);

  const teacher = await signUp(entry, "INSTRUCTOR");
  const course = await createCourse(entry, teacher.token, { capacity: 50, units: 1 });
  const enrollers = await Promise.all(Array.from({ length: 6 }, () => signUp(entry)));
  // Students open their enrollment page first (loads them into the engine), as in the burst tests.
  for (const s of enrollers) await gql(entry, MyEnrollmentsDocument, {}, s.token);
  const cls = await quizClass(entry, 8);
  const quiz = await createQuiz(entry, cls.teacher.token, { courseId: cls.courseId, mode: "SELF_PACED", questions: questions(100, { timeLimitSeconds: 3600 }) });
  await joinAll(entry, quiz.id, cls.students);
  const room = await classroom(cluster.instances[1], admin, { size: 6 });
  const probeCourse = await createCourse(entry, teacher.token, { capacity: 5, units: 1 });
  const probeStudent = await signUp(entry);
  const joinedProbe = await gql(entry, EnrollDocument, { courseId: probeCourse.id }, probeStudent.token);
  if (!joinedProbe.data) throw new Error(`enroll failed: ${JSON.stringify(joinedProbe.errors)}`);

  const acked = { answers: new Map<string, number>(), enrollments: new Set<string>() };
  const enrolled = new Map<string, boolean>();
  let e = 0;
  let a = 0;
  let r = 0;
  const ops: Record<string, Operation> = {
    // Each student in turn enrolls or drops; an answer lost with the connection is learnt back from the domain's reply.
    enroll: async () => {
      const s = enrollers[e++ % enrollers.length];
      const join = !enrolled.get(s.id);
      const res = join
        ? await gql(entry, EnrollDocument, { courseId: course.id }, s.token)
        : await gql(entry, DisenrollDocument, { courseId: course.id }, s.token);
      const done = (res.data as { enroll?: { id: string }; disenroll?: { id: string } } | null | undefined) ?? undefined;
      if (done) {
        enrolled.set(s.id, join);
        if (done.enroll) acked.enrollments.add(done.enroll.id);
      }
      const reason = errorOf(res).reason;
      if (reason === "ALREADY_ENROLLED") enrolled.set(s.id, true);
      if (reason === "NOT_ENROLLED") enrolled.set(s.id, false);
      return res;
    },
    answer: async () => {
      const n = a++;
      const player = cls.students[n % cls.students.length];
      const q = quiz.questions[Math.floor(n / cls.students.length) % quiz.questions.length];
      const res = await gql(entry, AnswerDocument, { quizId: quiz.id, questionId: q.id, choice: n % 4 }, player.token);
      if (res.data) acked.answers.set(`${player.id} ${q.id}`, res.data.answer.pointsAwarded);
      return res;
    },
    reportAbsence: () => {
      const n = r++;
      const absences = [{ studentId: room.students[n % room.students.length], kind: n % 2 ? ("EXCUSED" as const) : ("UNEXCUSED" as const) }];
      return gql(entry, ReportAbsenceDocument, { input: { groupId: room.groupId, date: utcDate(), period: 1 + (n % 6), absences } }, room.teacher.token);
    },
    logIn: () => gql(entry, LogInDocument, { email: teacher.email, password: teacher.password }),
    me: () => gql(entry, MeDocument, {}, teacher.token),
    courses: () => gql(entry, CoursesDocument, { first: 5 }, teacher.token),
  };
  return {
    cluster,
    ops,
    acked,
    quizId: quiz.id,
    enrollers,
    courseId: course.id,
    teacher,
    room: { groupId: room.groupId, teacher: room.teacher },
    probe: { courseId: probeCourse.id, student: probeStudent },
  };
}

/** Domain answers a client can get when its previous request's answer was lost with the connection. */
const RESYNC = new Set(["CONFLICT:ALREADY_ENROLLED", "CONFLICT:NOT_ENROLLED", "CONFLICT:ALREADY_ANSWERED"]);
const okish = (s: Sample) => s.outcome === "ok" || RESYNC.has(s.outcome);

async function status(url: string): Promise<number> {
  return fetch(url).then((r) => r.status, () => 0);
}

/**
 * The outage scenario for one service. `needs`: operations that must fail while it is down;
 * `survives`: operations that must keep succeeding throughout.
 */
async function outage(
  service: "redis" | "mongo",
  expect_: {
    needs: string[];
    survives: string[];
    /** Runs in the middle of the outage; the check it returns runs after recovery. */
    whileDown?: (d: Deployment) => Promise<() => Promise<void>>;
  },
) {
  const d = await deploy();
  const reason = service === "redis" ? "REDIS_UNAVAILABLE" : "MONGO_UNAVAILABLE";
  const target = (service === "redis" ? redis : mongo)!;
  const [a, b] = d.cluster.instances;

  // A subscriber on instance a, opened before the outage; its socket must stay open throughout.
  const ws = wsClient(a, d.teacher.token, { lazy: false });
  let socketClosed = 0;
  ws.on("closed", () => socketClosed++);
  await connected(ws);
  const seats = subscribe(ws, CourseSeatsChangedDocument, { courseId: d.probe.courseId });
  expect((await seats.next(10_000)).courseSeatsChanged.enrolledCount).toBe(1);
  await waitForSubscribers(d.cluster.env, topics.courseSeats(d.probe.courseId));

  const traffic = new Traffic(d.ops, { pauseMs: 40 });
  traffic.start();
  await sleep(2_000);
  const down = Date.now();
  await target.kill();
  const killed = Date.now();

  // During the outage: both processes alive, /healthz 200, /readyz 503.
  await sleep(OUTAGE_MS / 2);
  for (const s of d.cluster.instances) {
    expect(s.proc.exitCode).toBeNull();
    const base = new URL(s.url).origin;
    expect(await status(`${base}/healthz`)).toBe(200);
    const started = Date.now();
    expect(await status(`${base}/readyz`)).toBe(503);
    expect(Date.now() - started).toBeLessThan(FAIL_FAST_LIMIT_MS);
  }
  const afterRecovery = await expect_.whileDown?.(d);
  await sleep(Math.max(0, killed + OUTAGE_MS - Date.now()));

  const restart = Date.now();
  await target.start();
  const back = Date.now();
  // Throws (fails the test) unless both instances report ready in time.
  await eventually(
    async () => Promise.all(d.cluster.instances.map((s) => status(`${new URL(s.url).origin}/readyz`))),
    (codes) => codes.every((c) => c === 200),
    RECOVERY_LIMIT_MS + 5_000,
  );
  const readyAfter = Date.now() - back;
  await sleep(RECOVERY_LIMIT_MS + 1_000);
  await traffic.stop();

  // After recovery: an event caused now reaches the subscriber opened before the outage, on the same socket.
  const student = d.probe.student;
  const dropped = await gql(b, DisenrollDocument, { courseId: d.probe.courseId }, student.token);
  expect(dropped.errors).toBeUndefined();
  expect((await seats.next(10_000)).courseSeatsChanged.enrolledCount).toBe(0);
  expect(socketClosed).toBe(0);
  await ws.dispose();

  // And the job scheduler works again: an office-hours invite made now expires (an Agenda job, 2 s).
  expect((await gql(b, EnrollDocument, { courseId: d.probe.courseId }, student.token)).errors).toBeUndefined();
  expect((await gql(a, OpenOfficeHoursDocument, { courseId: d.probe.courseId, meetingLink: "https://meet.example.edu/p" }, d.teacher.token)).errors).toBeUndefined();
  expect((await gql(b, JoinQueueDocument, { courseId: d.probe.courseId, question: "Still there?" }, student.token)).errors).toBeUndefined();
  expect((await gql(a, CallNextDocument, { courseId: d.probe.courseId }, d.teacher.token)).data?.callNext?.status).toBe("INVITED");
  const expired = await eventually(
    async () => (await gql(d.cluster.entry, MyQueueEntryDocument, { courseId: d.probe.courseId }, student.token)).data?.myQueueEntry,
    (entry) => entry?.status === "EXPIRED",
    15_000,
  );
  expect(expired!.history.filter((h) => h.status === "EXPIRED")).toHaveLength(1);
  await afterRecovery?.();

  // Before: all well. Throughout: no hang, no crash, no wrong code.
  const before = traffic.samples.filter((s) => s.start + s.ms < down); // answered before the kill
  expect(before.filter((s) => !okish(s))).toEqual([]);
  const all = traffic.samples;
  expect(all.filter((s) => !okish(s) && s.outcome !== `SERVICE_UNAVAILABLE:${reason}`)).toEqual([]);
  for (const s of d.cluster.instances) expect(s.proc.exitCode).toBeNull();

  // During: fast failures for what needs the service, success for what does not.
  const during = traffic.between(killed, restart);
  const failures = during.filter((s) => s.outcome === `SERVICE_UNAVAILABLE:${reason}`);
  expect(Math.max(...during.map((s) => s.ms))).toBeLessThan(FAIL_FAST_LIMIT_MS);
  for (const op of expect_.needs) expect([op, failures.filter((s) => s.op === op).length]).not.toEqual([op, 0]);
  for (const op of expect_.survives) {
    const ofOp = during.filter((s) => s.op === op);
    expect(ofOp.length).toBeGreaterThan(0);
    expect(ofOp.filter((s) => !okish(s))).toEqual([]);
  }

  // After: each operation succeeds again within RECOVERY_LIMIT_MS of the service accepting connections,
  // and from then on every request succeeds.
  // Recovery of an operation: from the service accepting connections to the end of its first success
  // after its last failure (0 if it never failed, or was already succeeding when the service came back).
  const recovery: Record<string, number> = {};
  for (const op of Object.keys(d.ops)) {
    const samples = traffic.samples.filter((x) => x.op === op);
    const lastBad = samples.filter((x) => !okish(x)).at(-1);
    if (!lastBad) {
      recovery[op] = 0;
      continue;
    }
    const firstOk = samples.find((x) => okish(x) && x.start > lastBad.start);
    expect([op, firstOk ? "recovered" : "never"]).toEqual([op, "recovered"]);
    recovery[op] = Math.max(0, firstOk!.start + firstOk!.ms - back);
    expect(recovery[op]).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
  }
  expect(traffic.between(back + RECOVERY_LIMIT_MS, Infinity).filter((s) => !okish(s))).toEqual([]);

  // Nothing acknowledged is lost: every answer and every enrollment id is in MongoDB (written by the
  // log writers, which retried through the outage).
  let durableWaitMs: number;
  try {
    durableWaitMs = await durable(d);
    // The writers wrote again what failed as soon as the service was back, not LOG_CLAIM_IDLE_MS (15 s) later.
    expect(durableWaitMs).toBeLessThan(5_000);
  } catch (e) {
    // What the instances said (warnings and errors), to tell a lost write from a slow writer.
    for (const s of d.cluster.instances) process.stdout.write(`${s.logs.filter((l) => /"level":"(warn|error)"/.test(l)).join("\n")}\n`);
    throw e;
  }

  const figures = {
    service,
    outageMs: restart - killed,
    requests: all.length,
    duringOutage: during.length,
    failFastMs: { n: failures.length, p50: percentile(failures.map((s) => s.ms), 50), max: Math.max(...failures.map((s) => s.ms)) },
    refusedByOperation: Object.fromEntries(Object.keys(d.ops).map((op) => [op, failures.filter((s) => s.op === op).length])),
    maxLatencyDuringOutageMs: Math.max(...during.map((s) => s.ms)),
    recoveryMs: { max: Math.max(...Object.values(recovery)), byOperation: recovery, readyz: readyAfter },
    survived: expect_.survives,
    // Started ~6 s after recovery: how long the check still waited for the durable copy.
    durableWaitMs,
  };
  process.stdout.write(`FAULT_FIGURES ${JSON.stringify(figures)}\n`);
}

/** Waits until every acknowledged write is in MongoDB; resolves with how long that took. */
async function durable(d: Deployment): Promise<number> {
  const started = Date.now();
  const mongo = await MongoClient.connect(d.cluster.env.MONGO_URL);
  try {
    const db = mongo.db();
    const answers = await eventually(
      () => db.collection("quizanswers").find({ quiz: new ObjectId(d.quizId) }).toArray(),
      (docs) => {
        const keys = new Set(docs.map((x) => `${x.user.toHexString()} ${x.question.toHexString()}`));
        return [...d.acked.answers.keys()].every((k) => keys.has(k));
      },
      20_000,
    );
    const keys = answers.map((x) => `${x.user.toHexString()} ${x.question.toHexString()}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const x of answers) {
      const k = `${x.user.toHexString()} ${x.question.toHexString()}`;
      if (d.acked.answers.has(k)) expect(x.pointsAwarded).toBe(d.acked.answers.get(k));
    }
    expect(d.acked.answers.size).toBeGreaterThan(20);

    // Enrollment: every id ever acknowledged is stored, and the stored status equals the engine's.
    const ids = [...d.acked.enrollments].map((id) => new ObjectId(id));
    expect(ids.length).toBeGreaterThan(5);
    const live = new Map<string, string>();
    for (const s of d.enrollers) {
      const mine = (await gql(d.cluster.entry, MyEnrollmentsDocument, {}, s.token)).data!.myEnrollments;
      live.set(s.id, mine.find((x) => x.course.id === d.courseId)?.status ?? "DROPPED");
    }
    await eventually(
      async () => {
        const docs = await db.collection("enrollments").find({ course: new ObjectId(d.courseId) }).toArray();
        return { stored: docs.filter((x) => ids.some((i) => i.equals(x._id))).length, status: Object.fromEntries(docs.map((x) => [x.student.toHexString(), x.status])) };
      },
      ({ stored, status }) => stored === ids.length && d.enrollers.every((s) => (status[s.id] ?? "DROPPED") === live.get(s.id)),
      20_000,
    );

    // Attendance: every register the traffic took is stored at the version the engine holds.
    const registers = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (period) => {
        const lesson = (await gql(d.cluster.entry, LessonDocument, { groupId: d.room.groupId, date: utcDate(), period }, d.room.teacher.token)).data?.lesson;
        return [`${d.room.groupId}:${utcDate()}:${period}`, lesson?.version ?? 0] as const;
      }),
    );
    expect(registers.every(([, v]) => v > 0)).toBe(true);
    await eventually(
      async () => {
        const docs = await db.collection<{ _id: string; version: number }>("lessons").find({ _id: { $in: registers.map(([id]) => id) } }).toArray();
        return Object.fromEntries(docs.map((x) => [x._id, x.version]));
      },
      (stored) => registers.every(([id, v]) => stored[id] === v),
      20_000,
    );
    return Date.now() - started;
  } finally {
    await mongo.close();
  }
}

it("Redis restarted under traffic: fail fast, stay up, recover within 5 s, subscriptions resume, nothing acknowledged lost", async () => {
  // With Redis down, only what needs no Redis works: `me` (token + MongoDB).
  await outage("redis", {
    needs: ["enroll", "answer", "reportAbsence", "logIn", "courses"],
    survives: ["me"],
    // New subscriptions while Redis is down fail fast with SERVICE_UNAVAILABLE, whether they start
    // with the current state (seat counts) or not (a student's own changes: the subscribe itself
    // needs Redis); the client subscribes again once it is back, on the same socket, and receives.
    whileDown: async (d) => {
      const student = d.enrollers[0];
      const ws = wsClient(d.cluster.instances[0], student.token, { lazy: false });
      await connected(ws);
      for (const refused of [
        subscribe(ws, CourseSeatsChangedDocument, { courseId: d.courseId }),
        subscribe(ws, MyEnrollmentChangedDocument, {}),
      ]) {
        const started = Date.now();
        await refused.ended;
        expect(Date.now() - started).toBeLessThan(FAIL_FAST_LIMIT_MS);
        expect(refused.errors).toEqual([[expect.objectContaining({ extensions: { code: "SERVICE_UNAVAILABLE", reason: "REDIS_UNAVAILABLE" } })]]);
      }
      return async () => {
        const mine = subscribe(ws, MyEnrollmentChangedDocument, {});
        await waitForSubscribers(d.cluster.env, topics.studentEnrollments(student.id));
        const join = (await gql(d.cluster.instances[1], EnrollDocument, { courseId: d.probe.courseId }, student.token)).data?.enroll;
        expect(join?.status).toBe("ENROLLED");
        expect((await mine.next(10_000)).myEnrollmentChanged).toMatchObject({ id: join!.id, status: "ENROLLED" });
        await ws.dispose();
      };
    },
  });
}, 170_000);

it("the MongoDB stand-in (FerretDB and its PostgreSQL) restarted under traffic: fail fast, stay up, recover within 5 s, subscriptions resume, nothing acknowledged lost", async () => {
  // With MongoDB down, what runs on Redis keeps working: answers, enrollments of loaded students and
  // registers are acknowledged (from Redis) and written to MongoDB once it is back.
  await outage("mongo", { needs: ["logIn"], survives: ["answer", "enroll", "reportAbsence"] });
}, 170_000);
