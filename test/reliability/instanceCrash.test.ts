// One of three instances killed (SIGKILL) in the middle of a burst, the others left running and not
// restarted: the entry point routes around the dead one, a request that died with it is retried
// once on another instance (as a client would), and afterwards every write acknowledged to a
// client (by any instance, the dead one included) is in MongoDB exactly once. The dead instance's
// log entries are taken over by the survivors' writers (LOG_CLAIM_IDLE_MS).
import { MongoClient, ObjectId } from "mongodb";
import { AnswerDocument, CourseDocument, EnrollDocument, LeaderboardDocument, MyEnrollmentsDocument } from "../../operations/generated";
import { errorOf, gql, type GqlResponse } from "../support/client";
import { startCluster, type Cluster } from "../support/cluster";
import { createCourse, eventually, signUp, type TestUser } from "../support/factories";
import { byName, createQuiz, joinAll, questions, quizClass } from "../support/quizzes";
import { deploymentEnv, stopAll, type TestServer } from "../support/server";

afterAll(() => stopAll());

const crashEnv = () => deploymentEnv({ LOG_CLAIM_IDLE_MS: "1000" });

const INSTANCES = 3;
const WORKERS = 48;

interface Outcome<T> {
  /** Which job, when its (last) attempt was sent, the instance that answered, and what. */
  job: number;
  sentAt: number;
  by: TestServer;
  res: GqlResponse<T>;
}

/**
 * Runs `jobs` with WORKERS in parallel through the entry point and SIGKILLs `victim` once `killAfter`
 * jobs were acknowledged. A request without an HTTP answer (it died with the victim) is sent once more
 * to the next live instance.
 */
async function burstWithKill<T>(cluster: Cluster, victim: TestServer, jobs: ((s: TestServer) => Promise<GqlResponse<T>>)[], killAfter: number) {
  const outcomes: Outcome<T>[] = [];
  let networkFailures = 0;
  let next = 0;
  let acked = 0;
  /** When the victim had exited, and how many jobs were acknowledged by then. */
  let killedAt = Infinity;
  let ackedBeforeKill = 0;
  let kill: Promise<void> | undefined;
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < jobs.length) {
        const job = next++;
        let failed: TestServer | undefined;
        for (;;) {
          let by = cluster.entry.next();
          // A retry goes elsewhere (the entry point may not have seen the victim's exit yet).
          while (by === failed) by = cluster.entry.next();
          const sentAt = Date.now();
          try {
            const res = await jobs[job](by);
            outcomes.push({ job, sentAt, by, res });
            if (res.data) acked++;
            break;
          } catch (e) {
            networkFailures++;
            if (failed) throw e; // twice without an answer: not a dead instance's request
            failed = by;
          }
        }
        if (acked >= killAfter && !kill) {
          kill = victim.kill();
          await kill;
          killedAt = Date.now();
          ackedBeforeKill = acked;
        }
      }
    }),
  );
  return { outcomes, networkFailures, killedAt, ackedBeforeKill, afterKill: outcomes.filter((o) => o.sentAt >= killedAt) };
}

describe("one of three instances SIGKILLed mid-burst", () => {
  it("quiz answers: no acknowledged answer lost, the other instances keep answering", async () => {
    const cluster = await startCluster(INSTANCES, crashEnv());
    const victim = cluster.instances[1];
    const cls = await quizClass(cluster.entry, 120);
    const quiz = await createQuiz(cluster.entry, cls.teacher.token, { courseId: cls.courseId, mode: "SELF_PACED", questions: questions(20, { timeLimitSeconds: 3600 }) });
    await joinAll(cluster.entry, quiz.id, cls.students);

    const pairs = cls.students.flatMap((s, p) => quiz.questions.map((q, i) => ({ s, q: q.id, choice: (p + i) % 4 })));
    const { outcomes, networkFailures, killedAt, ackedBeforeKill, afterKill } = await burstWithKill(
      cluster,
      victim,
      pairs.map((a) => (s: TestServer) => gql(s, AnswerDocument, { quizId: quiz.id, questionId: a.q, choice: a.choice }, a.s.token)),
      600,
    );

    // Every answer was answered: acknowledged, or (its first attempt died with the victim after the
    // script ran) ALREADY_ANSWERED on the retry. Nothing else.
    expect(outcomes).toHaveLength(pairs.length);
    const other = outcomes.filter((o) => !o.res.data && errorOf(o.res).reason !== "ALREADY_ANSWERED");
    expect(other.map((o) => o.res.errors)).toEqual([]);
    const acked = outcomes.filter((o) => o.res.data);
    expect(killedAt).toBeLessThan(Infinity);
    // The survivors kept serving: most of the burst was sent after the kill and acknowledged by them.
    expect(afterKill.filter((o) => o.res.data && o.by !== victim).length).toBeGreaterThan(pairs.length / 2);
    for (const s of cluster.instances) if (s !== victim) expect(s.proc.exitCode).toBeNull();

    const mongo = await MongoClient.connect(cluster.env.MONGO_URL);
    try {
      const answers = mongo.db().collection<{ quiz: ObjectId; question: ObjectId; user: ObjectId; pointsAwarded: number }>("quizanswers");
      const quizOid = new ObjectId(quiz.id);
      const key = (d: { user: ObjectId; question: ObjectId }) => `${d.user.toHexString()} ${d.question.toHexString()}`;
      const ackedPoints = new Map(
        acked.map((o) => [`${pairs[o.job].s.id} ${pairs[o.job].q}`, (o.res.data as { answer: { pointsAwarded: number } }).answer.pointsAwarded]),
      );
      const started = Date.now();
      const stored = await eventually(
        () => answers.find({ quiz: quizOid }).toArray(),
        (docs) => {
          const have = new Set(docs.map(key));
          return [...ackedPoints.keys()].every((k) => have.has(k));
        },
        30_000,
      );
      const durableAfterMs = Date.now() - started;
      // Each once, with the points the client was told.
      const keys = stored.map(key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const d of stored) if (ackedPoints.has(key(d))) expect(d.pointsAwarded).toBe(ackedPoints.get(key(d)));
      process.stdout.write(`CRASH_FIGURES ${JSON.stringify({ burst: "quiz", requests: pairs.length, ackedBeforeKill, acked: acked.length, retriedAfterNetworkFailure: networkFailures, durableAfterMs })}\n`);

      // The leaderboard (Redis) equals a recomputation from the stored answers for every player.
      const totals = new Map(cls.students.map((s) => [s.id, 0]));
      for (const d of stored) totals.set(d.user.toHexString(), totals.get(d.user.toHexString())! + d.pointsAwarded);
      const board = (await gql(cluster.entry, LeaderboardDocument, { quizId: quiz.id, first: 100 }, cls.teacher.token)).data!.leaderboard;
      expect(board.playerCount).toBe(cls.students.length);
      // The top 100 (a page's most) of the 120, each with the recomputed score, in score order.
      expect(board.entries).toHaveLength(100);
      const idOf = (name: string) => byName(cls, name).id;
      expect(board.entries.map((e) => [e.player.name, e.score])).toEqual(board.entries.map((e) => [e.player.name, totals.get(idOf(e.player.name))]));
      const best = [...totals.values()].sort((a, b) => b - a).slice(0, 100);
      expect(board.entries.map((e) => e.score)).toEqual(best);
    } finally {
      await mongo.close();
    }
  }, 170_000);

  it("enrollments: no acknowledged enrollment lost, no seat sold twice, the other instances keep answering", async () => {
    const cluster = await startCluster(INSTANCES, crashEnv());
    const victim = cluster.instances[2];
    const teacher = await signUp(cluster.entry, "INSTRUCTOR");
    const capacity = 80;
    const courses = await Promise.all([0, 1, 2].map(() => createCourse(cluster.entry, teacher.token, { capacity, reserveCapacity: 30, units: 1 })));
    const students: TestUser[] = [];
    for (let i = 0; i < 150; i += 50) students.push(...(await Promise.all(Array.from({ length: 50 }, () => signUp(cluster.entry)))));
    // Students open their enrollment page first (loads them into the engine).
    await Promise.all(students.map((s) => gql(cluster.entry, MyEnrollmentsDocument, {}, s.token)));

    const jobs = students.flatMap((s) => courses.map((c) => ({ s, c: c.id })));
    const { outcomes, networkFailures, killedAt, ackedBeforeKill, afterKill } = await burstWithKill(
      cluster,
      victim,
      jobs.map((j) => (s: TestServer) => gql(s, EnrollDocument, { courseId: j.c }, j.s.token)),
      // Early: only 330 of the 450 can be acknowledged (3 x 80 seats + 30 waitlist places), and the
      // 47 other workers keep going while the victim dies, so a later kill can leave too few after it.
      60,
    );

    // Every request answered: a seat or a waitlist place, COURSE_FULL, or ALREADY_ENROLLED on a retry
    // whose first attempt died with the victim after the engine had taken it.
    expect(outcomes).toHaveLength(jobs.length);
    const other = outcomes.filter((o) => !o.res.data && !["COURSE_FULL", "ALREADY_ENROLLED"].includes(String(errorOf(o.res).reason)));
    expect(other.map((o) => o.res.errors)).toEqual([]);
    const acked = outcomes.filter((o) => o.res.data);
    expect(killedAt).toBeLessThan(Infinity);
    // The survivors kept serving: a third of the burst was sent after the kill, and seats were still given.
    expect(afterKill.filter((o) => o.by !== victim).length).toBeGreaterThan(jobs.length / 3);
    expect(afterKill.filter((o) => o.res.data && o.by !== victim).length).toBeGreaterThan(50);
    for (const s of cluster.instances) if (s !== victim) expect(s.proc.exitCode).toBeNull();

    const mongo = await MongoClient.connect(cluster.env.MONGO_URL);
    try {
      const enrollments = mongo.db().collection<{ course: ObjectId; student: ObjectId; status: string }>("enrollments");
      const ackedIds = new Map(
        acked.map((o) => [(o.res.data as { enroll: { id: string; status: string } }).enroll.id, { job: jobs[o.job], status: (o.res.data as { enroll: { status: string } }).enroll.status }]),
      );
      const started = Date.now();
      const stored = await eventually(
        () => enrollments.find({ _id: { $in: [...ackedIds.keys()].map((id) => new ObjectId(id)) } }).toArray(),
        (docs) => docs.length === ackedIds.size,
        30_000,
      );
      const durableAfterMs = Date.now() - started;
      for (const d of stored) {
        const ack = ackedIds.get(d._id.toHexString())!;
        expect([d.course.toHexString(), d.student.toHexString(), d.status]).toEqual([ack.job.c, ack.job.s.id, ack.status]);
      }
      process.stdout.write(`CRASH_FIGURES ${JSON.stringify({ burst: "enrollment", requests: jobs.length, ackedBeforeKill, acked: acked.length, retriedAfterNetworkFailure: networkFailures, durableAfterMs })}\n`);

      // Per course: each student once, never more seats than capacity, and the live counts (survivors)
      // equal the stored copy once the writers have caught up.
      for (const c of courses) {
        const { live, rows } = await eventually(
          async () => ({
            live: (await gql(cluster.entry, CourseDocument, { id: c.id }, teacher.token)).data!.course!,
            rows: await enrollments.find({ course: new ObjectId(c.id) }).toArray(),
          }),
          ({ live, rows }) =>
            rows.filter((d) => d.status === "ENROLLED").length === live.enrolledCount && rows.filter((d) => d.status === "WAITLISTED").length === live.waitlistCount,
          30_000,
        );
        const pairs = rows.map((d) => d.student.toHexString());
        expect(new Set(pairs).size).toBe(pairs.length);
        expect(live.enrolledCount).toBeLessThanOrEqual(capacity);
      }
    } finally {
      await mongo.close();
    }
  }, 170_000);
});
