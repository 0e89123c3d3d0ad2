// Three instances of one deployment behind one entry point (test/support/cluster.ts), proven over the
// wire: every subscription of schema.graphql delivers what a mutation on another instance caused;
// an office-hours invite expiry happens once although three instances poll the deadline set and run
// Agenda schedulers; log-in limits and the quiz leaderboard throttle count over all instances, not
// per instance.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { buildSchema } from "graphql";
import {
  AnswerDocument,
  AssignInstructorDocument,
  AttendanceChangedDocument,
  CallNextDocument,
  CourseSeatsChangedDocument,
  DomainEventsDocument,
  EnrollDocument,
  JoinQueueDocument,
  LeaderboardChangedDocument,
  LogInDocument,
  MyEnrollmentChangedDocument,
  MyQueueEntryChangedDocument,
  MyQueueEntryDocument,
  OfficeHoursStatusChangedDocument,
  OpenOfficeHoursDocument,
  QuestionStartedDocument,
  QueueChangedDocument,
  ReportAbsenceDocument,
  StartQuestionDocument,
  type LeaderboardChangedSubscription,
} from "../../operations/generated";
import { ALL_EVENTS_TOPIC, topics } from "../../src/events/catalogue";
import { classroom, utcDate } from "../attendance/fixtures";
import { connected, errorOf, gql, subscribe, wsClient, type LiveSubscription } from "../support/client";
import { startCluster, type Cluster } from "../support/cluster";
import { createCourse, eventually, logInAdmin, signUp, uniqueEmail, type TestUser } from "../support/factories";
import { byName, createQuiz, joinAll, questions, quizClass } from "../support/quizzes";
import { subscriberCount, waitForSubscribers } from "../support/redis";
import { deploymentEnv, stopAll, type TestServer } from "../support/server";

const INSTANCES = 3;
const INVITE_TTL_SECONDS = 2;
const THROTTLE_MS = 500;
const LOGIN_LIMIT_PER_ACCOUNT_IP = 4;
const LOGIN_LIMIT_PER_IP = 6;

const schema = buildSchema(readFileSync(join(__dirname, "..", "..", "schema.graphql"), "utf8"));
const SUBSCRIPTIONS = Object.keys(schema.getSubscriptionType()?.getFields() ?? {});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: Cluster;
let admin: TestUser;
const sockets: { dispose(): unknown }[] = [];

beforeAll(async () => {
  cluster = await startCluster(
    INSTANCES,
    deploymentEnv({
      INVITE_TTL_SECONDS: String(INVITE_TTL_SECONDS),
      LEADERBOARD_THROTTLE_MS: String(THROTTLE_MS),
      LOGIN_LIMIT_PER_ACCOUNT_IP: String(LOGIN_LIMIT_PER_ACCOUNT_IP),
      LOGIN_LIMIT_PER_IP: String(LOGIN_LIMIT_PER_IP),
      // Behind a load balancer: the client's address is X-Forwarded-For, so each test uses its own.
      TRUST_PROXY: "true",
    }),
  );
  admin = await logInAdmin(cluster.instances[0]);
}, 120_000);

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await stopAll();
});

/** A subscription on its own socket to one instance, once the socket is acknowledged. */
async function live<TData, TVars>(server: TestServer, token: string, doc: TypedDocumentNode<TData, TVars>, variables: TVars): Promise<LiveSubscription<TData>> {
  const client = wsClient(server, token, { lazy: false });
  sockets.push(client);
  await connected(client);
  return subscribe(client, doc, variables);
}

const ok = <T>(r: { data?: T | null; errors?: unknown }): T => {
  if (!r.data) throw new Error(`request failed: ${JSON.stringify(r.errors)}`);
  return r.data;
};

/** A course with an owner and a TA (both staff) and `n` enrolled students, made through the entry point. */
async function staffedCourse(n: number) {
  const [owner, ta] = await Promise.all([signUp(cluster.entry, "INSTRUCTOR"), signUp(cluster.entry, "INSTRUCTOR")]);
  const course = await createCourse(cluster.entry, owner.token, { capacity: n + 5, units: 1 });
  ok(await gql(cluster.entry, AssignInstructorDocument, { courseId: course.id, instructorId: ta.id }, owner.token));
  const students = await Promise.all(Array.from({ length: n }, () => signUp(cluster.entry)));
  for (const s of students) ok(await gql(cluster.entry, EnrollDocument, { courseId: course.id }, s.token));
  return { id: course.id, owner, ta, students };
}

/**
 * One case per subscription field: subscribe on instance `a`, wait until that instance listens in
 * Redis, cause the change with a mutation on instance `b`, and check what arrives on `a`.
 */
const CASES: Record<string, (a: TestServer, b: TestServer) => Promise<void>> = {
  async attendanceChanged(a, b) {
    const room = await classroom(b, admin, { size: 2 });
    const sub = await live(a, admin.token, AttendanceChangedDocument, { schoolId: room.schoolId });
    await waitForSubscribers(cluster.env, topics.attendance(room.schoolId));
    const student = room.students[0];
    ok(await gql(b, ReportAbsenceDocument, { input: { groupId: room.groupId, date: utcDate(), period: 1, absences: [{ studentId: student, kind: "UNEXCUSED" }] } }, room.teacher.token));
    const change = (await sub.next(10_000)).attendanceChanged;
    expect(change).toMatchObject({ action: "REPORT", students: [student] });
    expect(change.lesson.absences).toEqual([{ studentId: student, kind: "UNEXCUSED" }]);
  },

  async courseSeatsChanged(a, b) {
    const teacher = await signUp(b, "INSTRUCTOR");
    const course = await createCourse(b, teacher.token, { capacity: 5 });
    const student = await signUp(b);
    const sub = await live(a, teacher.token, CourseSeatsChangedDocument, { courseId: course.id });
    expect((await sub.next(10_000)).courseSeatsChanged).toMatchObject({ enrolledCount: 0, seatsLeft: 5 });
    await waitForSubscribers(cluster.env, topics.courseSeats(course.id));
    ok(await gql(b, EnrollDocument, { courseId: course.id }, student.token));
    expect((await sub.next(10_000)).courseSeatsChanged).toMatchObject({ courseId: course.id, enrolledCount: 1, seatsLeft: 4 });
  },

  async myEnrollmentChanged(a, b) {
    const teacher = await signUp(b, "INSTRUCTOR");
    const course = await createCourse(b, teacher.token, { capacity: 5 });
    const student = await signUp(b);
    const sub = await live(a, student.token, MyEnrollmentChangedDocument, {});
    await waitForSubscribers(cluster.env, topics.studentEnrollments(student.id));
    const enrolled = ok(await gql(b, EnrollDocument, { courseId: course.id }, student.token)).enroll;
    expect((await sub.next(10_000)).myEnrollmentChanged).toMatchObject({ id: enrolled.id, status: "ENROLLED", course: { id: course.id } });
  },

  async domainEvents(a, b) {
    const sub = await live(a, admin.token, DomainEventsDocument, { names: ["CourseCreated"] });
    await waitForSubscribers(cluster.env, ALL_EVENTS_TOPIC);
    const teacher = await signUp(b, "INSTRUCTOR");
    const course = await createCourse(b, teacher.token);
    const event = (await sub.next(10_000)).domainEvents;
    expect(event).toMatchObject({ name: "CourseCreated", actor: { userId: teacher.id, role: "INSTRUCTOR" } });
    expect(event.payload).toMatchObject({ courseId: course.id });
  },

  async queueChanged(a, b) {
    const course = await staffedCourse(1);
    const sub = await live(a, course.owner.token, QueueChangedDocument, { courseId: course.id });
    const first = (await sub.next(10_000)).queueChanged;
    expect(first.waitingCount).toBe(0);
    await waitForSubscribers(cluster.env, topics.officeHours(course.id));
    ok(await gql(b, JoinQueueDocument, { courseId: course.id, question: "Lemma 2?" }, course.students[0].token));
    const next = (await sub.next(10_000)).queueChanged;
    expect(next.version).toBeGreaterThan(first.version);
    expect(next.waitingCount).toBe(1);
    expect(next.entries?.map((e) => e.student?.id)).toEqual([course.students[0].id]);
  },

  async myQueueEntryChanged(a, b) {
    const course = await staffedCourse(1);
    const [student] = course.students;
    ok(await gql(b, OpenOfficeHoursDocument, { courseId: course.id, meetingLink: "https://meet.example.edu/a" }, course.owner.token));
    const sub = await live(a, student.token, MyQueueEntryChangedDocument, { courseId: course.id });
    await waitForSubscribers(cluster.env, topics.officeHours(course.id));
    const entry = ok(await gql(b, JoinQueueDocument, { courseId: course.id, question: "Lemma 3?" }, student.token)).joinQueue;
    expect((await sub.next(10_000)).myQueueEntryChanged).toMatchObject({ id: entry.id, status: "WAITING" });
    ok(await gql(b, CallNextDocument, { courseId: course.id }, course.owner.token));
    expect((await sub.next(10_000)).myQueueEntryChanged).toMatchObject({ id: entry.id, status: "INVITED", meetingLink: "https://meet.example.edu/a" });
  },

  async officeHoursStatusChanged(a, b) {
    const course = await staffedCourse(0);
    const sub = await live(a, course.ta.token, OfficeHoursStatusChangedDocument, { courseId: course.id });
    expect((await sub.next(10_000)).officeHoursStatusChanged.open).toBe(false);
    await waitForSubscribers(cluster.env, topics.officeHours(course.id));
    ok(await gql(b, OpenOfficeHoursDocument, { courseId: course.id, meetingLink: "https://meet.example.edu/b" }, course.owner.token));
    const status = (await sub.next(10_000)).officeHoursStatusChanged;
    expect(status.open).toBe(true);
    expect(status.staffOnDuty.map((s) => s.staff.id)).toEqual([course.owner.id]);
  },

  async leaderboardChanged(a, b) {
    const cls = await quizClass(b, 2);
    const quiz = await createQuiz(b, cls.teacher.token, { courseId: cls.courseId, mode: "SELF_PACED", speedBonus: false, questions: questions(2) });
    await joinAll(b, quiz.id, cls.students);
    const sub = await live(a, cls.students[1].token, LeaderboardChangedDocument, { quizId: quiz.id, first: 10 });
    const first = (await sub.next(10_000)).leaderboardChanged;
    await waitForSubscribers(cluster.env, topics.quizLeaderboard(quiz.id));
    const q = quiz.questions[0];
    const answer = ok(await gql(b, AnswerDocument, { quizId: quiz.id, questionId: q.id, choice: q.number - 1 }, cls.students[0].token)).answer;
    const pushed = (await sub.next(10_000)).leaderboardChanged;
    expect(pushed.version).toBeGreaterThan(first.version);
    expect(pushed.version).toBeGreaterThanOrEqual(answer.leaderboardVersion);
    expect(pushed.entries[0]).toMatchObject({ rank: 1, score: 1000, player: { name: cls.students[0].name } });
  },

  async questionStarted(a, b) {
    const cls = await quizClass(b, 1);
    const quiz = await createQuiz(b, cls.teacher.token, { courseId: cls.courseId, mode: "LIVE", questions: questions(2) });
    await joinAll(b, quiz.id, cls.students);
    const sub = await live(a, cls.students[0].token, QuestionStartedDocument, { quizId: quiz.id });
    await waitForSubscribers(cluster.env, topics.quizQuestions(quiz.id));
    ok(await gql(b, StartQuestionDocument, { quizId: quiz.id }, cls.teacher.token));
    const q = (await sub.next(10_000)).questionStarted;
    expect(q).toMatchObject({ id: quiz.questions[0].id, number: 1, correctOption: null });
  },
};

describe("a subscriber on one instance receives what a mutation on another caused", () => {
  it("has a case for every subscription in schema.graphql", () => {
    expect(SUBSCRIPTIONS.length).toBeGreaterThanOrEqual(9);
    expect(Object.keys(CASES).sort()).toEqual([...SUBSCRIPTIONS].sort());
  });

  // Every pair of instances takes a turn: subscriber on instance i, mutation on instance i + 1.
  it.each(SUBSCRIPTIONS.map((name, i) => [name, i] as const))("%s", async (name, i) => {
    const run = CASES[name];
    if (!run) throw new Error(`no multi-instance case for Subscription.${name}: add one to CASES`);
    await run(cluster.instances[i % INSTANCES], cluster.instances[(i + 1) % INSTANCES]);
  }, 60_000);
});

describe("a deadline runs once although every instance polls the deadline set and runs a scheduler", () => {
  it("expires each unanswered office-hours invite exactly once (history, subscription, audit feed)", async () => {
    const { instances } = cluster;
    // Three courses, two staff members each: six invites expiring at about the same time.
    const courses = await Promise.all([0, 1, 2].map(() => staffedCourse(2)));
    const listening = await subscriberCount(cluster.env, ALL_EVENTS_TOPIC); // an earlier test's feed may still be open
    const feed = await live(instances[2], admin.token, DomainEventsDocument, { names: ["InviteExpired"] });
    await waitForSubscribers(cluster.env, ALL_EVENTS_TOPIC, listening + 1);

    const watched: { student: TestUser; courseId: string; sub: LiveSubscription<{ myQueueEntryChanged: { id: string; status: string } }> }[] = [];
    for (const [c, course] of courses.entries()) {
      ok(await gql(instances[c % INSTANCES], OpenOfficeHoursDocument, { courseId: course.id, meetingLink: "https://meet.example.edu/o" }, course.owner.token));
      ok(await gql(instances[(c + 1) % INSTANCES], OpenOfficeHoursDocument, { courseId: course.id, meetingLink: "https://meet.example.edu/t" }, course.ta.token));
      for (const [k, student] of course.students.entries()) {
        const sub = await live(instances[(c + k) % INSTANCES], student.token, MyQueueEntryChangedDocument, { courseId: course.id });
        ok(await gql(instances[(c + k + 1) % INSTANCES], JoinQueueDocument, { courseId: course.id, question: "Why?" }, student.token));
        watched.push({ student, courseId: course.id, sub });
      }
    }
    // Each staff member calls, on a different instance than their colleague.
    const invites = await Promise.all(
      courses.flatMap((course, c) => [
        gql(instances[c % INSTANCES], CallNextDocument, { courseId: course.id }, course.owner.token),
        gql(instances[(c + 2) % INSTANCES], CallNextDocument, { courseId: course.id }, course.ta.token),
      ]),
    );
    const invited = invites.map((r) => ok(r).callNext!);
    expect(invited.map((e) => e.status)).toEqual(Array(6).fill("INVITED"));
    expect(new Set(invited.map((e) => e.student!.id)).size).toBe(6);
    const latest = Math.max(...invited.map((e) => Date.parse(e.inviteExpiresAt!)));

    // Every invite expires, then two more TTLs pass in which a second run would show up.
    const expiredPushes = async (w: (typeof watched)[number]) => w.sub.received.filter((v) => v.myQueueEntryChanged.status === "EXPIRED").length;
    await eventually(() => Promise.all(watched.map(expiredPushes)), (n) => n.every((x) => x >= 1), 20_000);
    await sleep(Math.max(0, latest - Date.now()) + 2 * INVITE_TTL_SECONDS * 1000);

    for (const w of watched) {
      expect(await expiredPushes(w)).toBe(1);
      const entry = ok(await gql(cluster.entry, MyQueueEntryDocument, { courseId: w.courseId }, w.student.token)).myQueueEntry!;
      expect(entry.status).toBe("EXPIRED");
      expect(entry.history.filter((h) => h.status === "EXPIRED")).toHaveLength(1);
    }
    // The audit feed: one InviteExpired per invite of these courses (an earlier test's invites may expire too).
    const ours = new Set(courses.map((c) => c.id));
    const expiredEvents = feed.received.map((e) => e.domainEvents.payload as { courseId: string; entry: { entryId: string } });
    const ids = expiredEvents.filter((p) => ours.has(p.courseId)).map((p) => p.entry.entryId);
    expect(ids.sort()).toEqual(invited.map((e) => e.id).sort());
  }, 90_000);
});

describe("log-in limits count attempts on every instance together", () => {
  const from = (ip: string) => ({ "x-forwarded-for": ip });

  it(`per account and address: ${LOGIN_LIMIT_PER_ACCOUNT_IP} failures in all, not per instance; other addresses still log in`, async () => {
    const user = await signUp(cluster.entry);
    // All from one address, fewer than its own limit (LOGIN_LIMIT_PER_IP), so only the per-account-and-address limit can stop them.
    const attempts = 2 * INSTANCES;
    const answers = [];
    for (let i = 0; i < attempts; i++) {
      answers.push(await gql(cluster.instances[i % INSTANCES], LogInDocument, { email: user.email, password: "wrong password" }, undefined, from("10.1.0.1")));
    }
    // Per instance it would have been 3 x 4 = 12 failures before the first refusal.
    expect(answers.map((r) => errorOf(r).reason)).toEqual([
      ...Array(LOGIN_LIMIT_PER_ACCOUNT_IP).fill("INVALID_CREDENTIALS"),
      ...Array(attempts - LOGIN_LIMIT_PER_ACCOUNT_IP).fill("RATE_LIMITED"),
    ]);
    expect(answers[LOGIN_LIMIT_PER_ACCOUNT_IP].errors![0].message).toMatch(/for this account from this address/);
    // The right password from other addresses logs in, on every instance: the failures lock nobody out.
    for (const [k, s] of cluster.instances.entries()) {
      const r = await gql(s, LogInDocument, { email: user.email, password: user.password }, undefined, from(`10.1.1.${k + 1}`));
      expect(r.data?.logIn.user.id).toBe(user.id);
    }
  });

  it(`per address: ${LOGIN_LIMIT_PER_IP} attempts in all, also when they race on three instances`, async () => {
    const attempts = 6 * INSTANCES;
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        gql(cluster.instances[i % INSTANCES], LogInDocument, { email: uniqueEmail("nobody"), password: "whatever123" }, undefined, from("10.2.0.1")),
      ),
    );
    const reasons = results.map((r) => errorOf(r).reason);
    expect(reasons.filter((r) => r === "INVALID_CREDENTIALS")).toHaveLength(LOGIN_LIMIT_PER_IP);
    expect(reasons.filter((r) => r === "RATE_LIMITED")).toHaveLength(attempts - LOGIN_LIMIT_PER_IP);
  });
});

describe("the quiz leaderboard throttle holds across instances", () => {
  it(`pushes are >= ${THROTTLE_MS} ms apart for every subscriber while answers arrive on all instances`, async () => {
    const { instances } = cluster;
    const players = 24;
    const cls = await quizClass(cluster.entry, players);
    const quiz = await createQuiz(cluster.entry, cls.teacher.token, { courseId: cls.courseId, mode: "SELF_PACED", speedBonus: false, questions: questions(20) });
    await joinAll(cluster.entry, quiz.id, cls.students);

    // One subscriber per instance; arrival times recorded as pushes come in.
    const subs = [];
    for (const [i, s] of instances.entries()) {
      const sub = await live(s, cls.students[i].token, LeaderboardChangedDocument, { quizId: quiz.id, first: players });
      await sub.next(10_000); // the snapshot
      const arrivals: number[] = [];
      const push = sub.received.push.bind(sub.received);
      sub.received.push = (...items: LeaderboardChangedSubscription[]) => {
        arrivals.push(...items.map(() => Date.now()));
        return push(...items);
      };
      subs.push({ sub, arrivals });
    }
    await waitForSubscribers(cluster.env, topics.quizLeaderboard(quiz.id), INSTANCES);

    // Three streams at once, one per instance, each with its own players: ~4 s of answers.
    const last = new Map<string, { total: number; version: number }>();
    const started = Date.now();
    let sent = 0;
    await Promise.all(
      instances.map(async (server, k) => {
        const mine = cls.students.filter((_, p) => p % INSTANCES === k);
        for (let round = 0; Date.now() - started < 4000; round++) {
          const player = mine[round % mine.length];
          const q = quiz.questions[Math.floor(round / mine.length)];
          const r = ok(await gql(server, AnswerDocument, { quizId: quiz.id, questionId: q.id, choice: (q.number - 1) % 4 }, player.token)).answer;
          last.set(player.id, { total: r.totalScore, version: r.leaderboardVersion });
          sent++;
          await sleep(30);
        }
      }),
    );
    const streamSeconds = (Date.now() - started) / 1000;
    await sleep(THROTTLE_MS * 3); // the trailing push arrives within one window

    expect(sent).toBeGreaterThan(60);
    const lastVersion = Math.max(...[...last.values()].map((v) => v.version));
    const versions = subs.map(({ sub }) => sub.received.slice(1).map((r) => r.leaderboardChanged.version));
    for (const { sub, arrivals } of subs) {
      const pushes = sub.received.slice(1).map((r) => r.leaderboardChanged);
      // Each push's snapshot is taken by the script that opens its window (Redis clock): >= one window apart.
      const asOf = pushes.map((p) => Date.parse(p.asOf));
      const gaps = asOf.slice(1).map((t, i) => t - asOf[i]);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(THROTTLE_MS - 1);
      // And as received: on average no more than one per window.
      const span = arrivals.at(-1)! - arrivals[0];
      expect(arrivals.length - 1).toBeLessThanOrEqual(Math.ceil(span / THROTTLE_MS));
      // It does push while things change (not silenced), and the last push has every final score.
      expect(pushes.length).toBeGreaterThanOrEqual(Math.floor((streamSeconds * 1000) / THROTTLE_MS) - 1);
      const final = pushes.at(-1)!;
      expect(final.version).toBeGreaterThanOrEqual(lastVersion);
      const scores = new Map(final.entries.map((e) => [byName(cls, e.player.name).id, e.score]));
      for (const [player, { total }] of last) expect(scores.get(player)).toBe(total);
    }
    // One decision per window for the whole deployment: every instance delivered the same pushes.
    expect(versions[1]).toEqual(versions[0]);
    expect(versions[2]).toEqual(versions[0]);
  }, 90_000);
});
