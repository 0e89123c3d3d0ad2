// Live quizzes as their users drive them: a host creates and runs a LIVE quiz, students join and
// answer over HTTP or their socket and follow it over graphql-ws; every rule's reason, who may do what, hidden
// correct options, ties, reconnects, closing, and what reaches MongoDB.
import { MongoClient, ObjectId } from "mongodb";
import {
  AnswerDocument,
  CloseQuizDocument,
  CreateQuizDocument,
  DisenrollDocument,
  EnrollDocument,
  JoinQuizDocument,
  LeaderboardChangedDocument,
  LeaderboardDocument,
  LogInDocument,
  MyQuizResultDocument,
  QuestionStartedDocument,
  QuizDocument,
  StartQuestionDocument,
} from "../../operations/generated";
import { connected, errorOf, gql, subscribe, wsClient, wsExecute } from "../support/client";
import { eventually, logInAdmin, signUp, type TestUser } from "../support/factories";
import { byName, createQuiz, joinAll, questions, quizClass, type QuizClass } from "../support/quizzes";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
let cls: QuizClass;
let mongo: MongoClient;

beforeAll(async () => {
  server = await startServer(deploymentEnv({ QUIZ_CLOSE_CHECK_SECONDS: "1" }));
  cls = await quizClass(server, 6);
  mongo = await MongoClient.connect(server.env.MONGO_URL);
}, 60_000);
afterAll(async () => {
  await mongo?.close();
  await stopAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const answer = (s: TestUser, quizId: string, questionId: string, choice: number) =>
  gql(server, AnswerDocument, { quizId, questionId, choice }, s.token);
const start = (quizId: string, token = cls.teacher.token) => gql(server, StartQuestionDocument, { quizId }, token);
/** How many `answer` mutations the server has timed (/metrics). */
const answersTimed = async () => {
  const text = await (await fetch(server.metricsUrl)).text();
  return Number(/graphql_operation_duration_seconds_count\{operation="answer",type="mutation"\} (\d+)/.exec(text)?.[1] ?? 0);
};
const quizAs = async (quizId: string, token: string) => (await gql(server, QuizDocument, { id: quizId }, token)).data!.quiz;

describe("createQuiz", () => {
  it("creates a quiz for the course's staff, with defaults", async () => {
    const quiz = await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, questions: [{ text: "2+2?", options: ["3", "4"], correctOption: 1 }] });
    expect(quiz).toMatchObject({ mode: "LIVE", status: "OPEN", speedBonus: true, streakBonus: true, questionCount: 1, course: { id: cls.courseId } });
    expect(quiz.questions[0]).toMatchObject({ number: 1, points: 1000, timeLimitSeconds: 20, correctOption: 1 });
  });

  it("refuses bad questions with a reason", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ questions: [{ text: "one option", options: ["A"], correctOption: 0 }] }, "BAD_USER_INPUT"],
      [{ questions: [{ text: "seven", options: ["A", "B", "C", "D", "E", "F", "G"], correctOption: 0 }] }, "BAD_USER_INPUT"],
      [{ questions: [{ text: "x", options: ["A", "B"], correctOption: 2 }] }, "INVALID_CHOICE"],
      [{ questions: [{ text: "x", options: ["A", "B"], correctOption: 0, points: -1 }] }, "BAD_USER_INPUT"],
      [{ questions: [] }, "BAD_USER_INPUT"],
      [{ closesAt: new Date(Date.now() - 1000).toISOString() }, "INVALID_WINDOW"],
    ];
    for (const [over, expected] of cases) {
      const r = await gql(server, CreateQuizDocument, { input: { courseId: cls.courseId, title: "Bad", mode: "LIVE", questions: questions(1), ...over } }, cls.teacher.token);
      const { code, reason } = errorOf(r);
      expect([code, reason]).toContain(expected);
      expect(code).toBe("BAD_USER_INPUT");
    }
  });

  it("only the course's staff and ADMIN: another instructor is FORBIDDEN, a student lacks the role", async () => {
    const stranger = await signUp(server, "INSTRUCTOR");
    const input = { courseId: cls.courseId, title: "Q", mode: "LIVE" as const, questions: questions(1) };
    expect(errorOf(await gql(server, CreateQuizDocument, { input }, stranger.token))).toEqual({ code: "FORBIDDEN", reason: "NOT_COURSE_STAFF" });
    expect(errorOf(await gql(server, CreateQuizDocument, { input }, cls.students[0].token))).toMatchObject({ code: "FORBIDDEN" });
    const admin = await logInAdmin(server);
    expect((await gql(server, CreateQuizDocument, { input }, admin.token)).data?.createQuiz.id).toBeTruthy();
  });
});

describe("a LIVE quiz", () => {
  it("runs from join to close: announcements without answers, scoring, hidden options, reasons, stored results", async () => {
    const [ann, ben, cat] = cls.students;
    const quiz = await createQuiz(server, cls.teacher.token, {
      courseId: cls.courseId,
      questions: [
        { text: "First?", options: ["A", "B", "C"], correctOption: 1, points: 1000, timeLimitSeconds: 2 },
        { text: "Second?", options: ["A", "B"], correctOption: 0, points: 500, timeLimitSeconds: 30 },
      ],
    });
    const [q1, q2] = quiz.questions.map((q) => q.id);

    // Students: nothing to see before the host starts; answering needs a join.
    expect((await quizAs(quiz.id, ann.token)).questions).toEqual([]);
    expect(errorOf(await answer(ann, quiz.id, q1, 1))).toEqual({ code: "CONFLICT", reason: "NOT_JOINED" });
    const joined = await gql(server, JoinQuizDocument, { quizId: quiz.id }, ann.token);
    expect(joined.data!.joinQuiz).toMatchObject({ score: 0, rank: 1, playerCount: 1, answers: [] });
    // Joining again is harmless and answers the same standing.
    expect((await gql(server, JoinQuizDocument, { quizId: quiz.id }, ann.token)).data!.joinQuiz).toMatchObject({ score: 0, playerCount: 1 });
    await joinAll(server, quiz.id, [ben, cat]);

    // A player's socket hears each question as the host starts it, never with its correct option.
    const client = wsClient(server, ben.token, { lazy: false });
    await connected(client);
    const announcements = subscribe(client, QuestionStartedDocument, { quizId: quiz.id });
    await sleep(300);
    expect(errorOf(await answer(ann, quiz.id, q1, 1))).toEqual({ code: "CONFLICT", reason: "QUESTION_CLOSED" }); // not started yet

    const started = await start(quiz.id);
    expect(started.data!.startQuestion).toMatchObject({ id: q1, number: 1, correctOption: 1, closed: false }); // the host sees it
    const heard = await announcements.next();
    expect(heard.questionStarted).toMatchObject({ id: q1, text: "First?", options: ["A", "B", "C"], correctOption: null, timeLimitSeconds: 2 });

    // While it is open, players see the question but not its answer; the host sees both.
    const asPlayer = await quizAs(quiz.id, ann.token);
    expect(asPlayer.currentQuestion).toMatchObject({ id: q1, correctOption: null, closed: false });
    expect(asPlayer.questions.map((q) => q.id)).toEqual([q1]);
    expect((await quizAs(quiz.id, cls.teacher.token)).questions.map((q) => q.correctOption)).toEqual([1, 0]);

    const annFirst = await answer(ann, quiz.id, q1, 1);
    expect(annFirst.data!.answer).toMatchObject({ correct: true, rank: 1 });
    expect(annFirst.data!.answer.pointsAwarded).toBeGreaterThanOrEqual(500);
    expect(annFirst.data!.answer.pointsAwarded).toBeLessThanOrEqual(1000);
    expect((await answer(ben, quiz.id, q1, 0)).data!.answer).toMatchObject({ correct: false, pointsAwarded: 0, totalScore: 0 });
    expect(errorOf(await answer(ann, quiz.id, q1, 1))).toEqual({ code: "CONFLICT", reason: "ALREADY_ANSWERED" });
    expect(errorOf(await answer(cat, quiz.id, q1, 3))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_CHOICE" });
    expect(errorOf(await answer(cat, quiz.id, q1, -1))).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_CHOICE" });
    expect(errorOf(await answer(cat, quiz.id, new ObjectId().toHexString(), 0))).toMatchObject({ reason: "QUESTION_NOT_FOUND" });
    expect(errorOf(await answer(cat, quiz.id, q2, 0))).toEqual({ code: "CONFLICT", reason: "QUESTION_CLOSED" }); // not started yet

    // Time is up (2 s): no more answers, and the correct option is shown to players.
    await sleep(2200);
    expect(errorOf(await answer(cat, quiz.id, q1, 1))).toEqual({ code: "CONFLICT", reason: "QUESTION_CLOSED" });
    expect((await quizAs(quiz.id, ann.token)).currentQuestion).toMatchObject({ id: q1, correctOption: 1, closed: true });

    // Second question: Ann is fastest again and keeps a streak (+100); Cat answers right too.
    await start(quiz.id);
    expect((await announcements.next()).questionStarted).toMatchObject({ id: q2, number: 2, correctOption: null });
    const annSecond = (await answer(ann, quiz.id, q2, 0)).data!.answer;
    expect(annSecond).toMatchObject({ correct: true, pointsAwarded: 600, totalScore: annFirst.data!.answer.pointsAwarded + 600, rank: 1 });
    const catSecond = (await answer(cat, quiz.id, q2, 0)).data!.answer;
    expect(catSecond).toMatchObject({ correct: true, pointsAwarded: 500, rank: 2 }); // a streak needs two in a row
    expect(errorOf(await start(quiz.id))).toEqual({ code: "CONFLICT", reason: "NO_MORE_QUESTIONS" });

    // Only the host runs the quiz.
    expect(errorOf(await start(quiz.id, ann.token))).toMatchObject({ code: "FORBIDDEN" });
    expect(errorOf(await gql(server, CloseQuizDocument, { quizId: quiz.id }, ann.token))).toMatchObject({ code: "FORBIDDEN" });

    const closed = await gql(server, CloseQuizDocument, { quizId: quiz.id }, cls.teacher.token);
    expect(closed.data!.closeQuiz).toMatchObject({ status: "CLOSED" });
    expect(closed.data!.closeQuiz.closedAt).toBeTruthy();
    expect((await gql(server, CloseQuizDocument, { quizId: quiz.id }, cls.teacher.token)).data!.closeQuiz.status).toBe("CLOSED"); // again: no-op
    expect(errorOf(await answer(ben, quiz.id, q2, 0))).toEqual({ code: "CONFLICT", reason: "QUIZ_CLOSED" });
    const late = await signUp(server);
    expect(errorOf(await gql(server, JoinQuizDocument, { quizId: quiz.id }, ben.token))).toEqual({ code: undefined, reason: undefined }); // joined before: idempotent
    expect(errorOf(await gql(server, JoinQuizDocument, { quizId: quiz.id }, late.token))).toMatchObject({ code: "FORBIDDEN", reason: "NOT_ENROLLED" });
    // Every correct option is visible to players once the quiz closed.
    expect((await quizAs(quiz.id, ben.token)).questions.map((q) => q.correctOption)).toEqual([1, 0]);

    // The results: the leaderboard, a player's own, and MongoDB (answers once each, final standings).
    const board = (await gql(server, LeaderboardDocument, { quizId: quiz.id, first: 10 }, ben.token)).data!.leaderboard;
    expect(board).toMatchObject({ closed: true, playerCount: 3 });
    expect(board.entries.map((e) => [e.player.name, e.score, e.rank])).toEqual([
      [ann.name, annSecond.totalScore, 1],
      [cat.name, 500, 2],
      [ben.name, 0, 3],
    ]);
    const mine = (await gql(server, MyQuizResultDocument, { quizId: quiz.id }, ann.token)).data!.myQuizResult;
    expect(mine).toMatchObject({ score: annSecond.totalScore, rank: 1, playerCount: 3 });
    expect(mine.answers.map((a) => [a.questionId, a.choice, a.correct]).sort()).toEqual([[q1, 1, true], [q2, 0, true]].sort());

    const db = mongo.db();
    const stored = await eventually(
      () => db.collection("quizanswers").find({ quiz: new ObjectId(quiz.id) }).toArray(),
      (docs) => docs.length === 4,
    );
    expect(stored.map((d) => [d.user.toHexString(), d.question.toHexString(), d.pointsAwarded]).sort()).toEqual(
      [[ann.id, q1, annFirst.data!.answer.pointsAwarded], [ben.id, q1, 0], [ann.id, q2, 600], [cat.id, q2, 500]].sort(),
    );
    const standings = await eventually(
      () => db.collection("quizstandings").find({ quiz: new ObjectId(quiz.id) }).sort({ rank: 1 }).toArray(),
      (docs) => docs.length === 3,
    );
    expect(standings.map((s) => [s.user.toHexString(), s.score, s.rank])).toEqual(board.entries.map((e) => [byName(cls, e.player.name).id, e.score, e.rank]));
    expect(await db.collection("quizplayers").countDocuments({ quiz: new ObjectId(quiz.id) })).toBe(3);
    announcements.unsubscribe();
    await client.dispose();
  }, 30_000);

  it("ties go to whoever reached the score first", async () => {
    const [a, b, c] = cls.students.slice(3);
    const quiz = await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, speedBonus: false, streakBonus: false, questions: questions(1) });
    for (const s of [c, b, a]) await gql(server, JoinQuizDocument, { quizId: quiz.id }, s.token); // c joined first: c leads the zeros
    await start(quiz.id);
    const q = quiz.questions[0].id;
    await answer(b, quiz.id, q, 0);
    await answer(a, quiz.id, q, 0);
    const board = (await gql(server, LeaderboardDocument, { quizId: quiz.id, first: 3 }, a.token)).data!.leaderboard;
    expect(board.entries.map((e) => [e.player.name, e.score, e.rank])).toEqual([
      [b.name, 1000, 1],
      [a.name, 1000, 2],
      [c.name, 0, 3],
    ]);
  });

  it("answers over the player's own socket (beside its leaderboardChanged): scored once, the repeat refused with its reason, the push on that socket", async () => {
    const [a, b] = cls.students;
    const quiz = await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, speedBonus: false, questions: questions(1) });
    await joinAll(server, quiz.id, [a, b]);
    await start(quiz.id);
    const socket = wsClient(server, a.token, { lazy: false });
    await connected(socket);
    const board = subscribe(socket, LeaderboardChangedDocument, { quizId: quiz.id, first: 5 });
    await board.next(); // the snapshot
    const vars = { quizId: quiz.id, questionId: quiz.questions[0].id, choice: 0 };
    const timedBefore = await answersTimed();
    const [first, repeat] = await Promise.all([wsExecute(socket, AnswerDocument, vars), wsExecute(socket, AnswerDocument, vars)]);
    const scored = [first, repeat].filter((r) => r.data);
    const refused = [first, repeat].filter((r) => !r.data);
    expect(scored).toHaveLength(1);
    expect(scored[0].data!.answer).toMatchObject({ correct: true, totalScore: 1000, rank: 1 });
    expect(refused[0].errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", reason: "ALREADY_ANSWERED" });
    // The push that reflects the answer arrives on the same socket.
    const version = scored[0].data!.answer.leaderboardVersion;
    let pushed = await board.next();
    while (pushed.leaderboardChanged.version < version) pushed = await board.next();
    expect(pushed.leaderboardChanged.entries[0]).toMatchObject({ player: { name: a.name }, score: 1000 });
    // Bad input over the socket gets the same codes as over HTTP; anonymous sockets answer nothing.
    const bad = await wsExecute(socket, AnswerDocument, { ...vars, choice: 9 });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_CHOICE" });
    const invalid = await wsExecute(socket, AnswerDocument, { ...vars, choice: "two" as unknown as number });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    await socket.dispose();
    // Timed on /metrics as over HTTP: the three answers that ran (the fourth failed its variables' checks).
    expect((await answersTimed()) - timedBefore).toBe(3);
    const anonymous = wsClient(server, undefined, { lazy: false });
    await connected(anonymous);
    expect((await wsExecute(anonymous, AnswerDocument, vars)).errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    await anonymous.dispose();
  });

  it("a player who reconnects (logs in again, new socket) keeps score and rank", async () => {
    const [a, b] = cls.students;
    const quiz = await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, speedBonus: false, questions: questions(2) });
    await joinAll(server, quiz.id, [a, b]);
    await start(quiz.id);
    await answer(b, quiz.id, quiz.questions[0].id, 0);

    const first = wsClient(server, b.token, { lazy: false });
    await connected(first);
    const before = subscribe(first, LeaderboardChangedDocument, { quizId: quiz.id, first: 5 });
    expect((await before.next()).leaderboardChanged.entries[0]).toMatchObject({ rank: 1, score: 1000, player: { name: b.name } });
    await first.dispose(); // the connection drops

    const again = await gql(server, LogInDocument, { email: b.email, password: b.password });
    const token = again.data!.logIn.token;
    expect((await gql(server, MyQuizResultDocument, { quizId: quiz.id }, token)).data!.myQuizResult).toMatchObject({ score: 1000, rank: 1 });
    expect((await gql(server, JoinQuizDocument, { quizId: quiz.id }, token)).data!.joinQuiz).toMatchObject({ score: 1000, rank: 1 });
    const second = wsClient(server, token, { lazy: false });
    await connected(second);
    const after = subscribe(second, LeaderboardChangedDocument, { quizId: quiz.id, first: 5 });
    expect((await after.next()).leaderboardChanged.entries.map((e) => [e.player.name, e.score, e.rank])).toEqual([
      [b.name, 1000, 1],
      [a.name, 0, 2],
    ]);
    // And she plays on from there (the streak too).
    await start(quiz.id);
    expect((await gql(server, AnswerDocument, { quizId: quiz.id, questionId: quiz.questions[1].id, choice: 1 }, token)).data!.answer).toMatchObject({ totalScore: 2100 });
    await second.dispose();
  });

  it("leaderboardChanged and questionStarted refuse whoever may not see the quiz", async () => {
    const quiz = await createQuiz(server, cls.teacher.token, { courseId: cls.courseId });
    const outsider = await signUp(server);
    const client = wsClient(server, outsider.token, { lazy: false });
    await connected(client);
    for (const sub of [
      subscribe(client, LeaderboardChangedDocument, { quizId: quiz.id, first: 5 }),
      subscribe(client, QuestionStartedDocument, { quizId: quiz.id }),
    ]) {
      await sub.ended;
      expect((sub.errors[0] as { extensions?: { reason?: string } }).extensions?.reason).toBe("NOT_ENROLLED");
    }
    // A page size outside 1..100 is refused before the subscription runs (graphql-ws `error` message).
    const bad = subscribe(client, LeaderboardChangedDocument, { quizId: quiz.id, first: 0 });
    await bad.ended;
    expect((bad.errors[0] as Array<{ extensions?: { code?: string; reason?: string } }>)[0].extensions).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_INPUT" });
    expect(errorOf(await gql(server, LeaderboardDocument, { quizId: quiz.id, first: 5 }, outsider.token))).toMatchObject({ code: "FORBIDDEN" });
    expect(errorOf(await gql(server, QuizDocument, { id: quiz.id }, outsider.token))).toMatchObject({ code: "FORBIDDEN" });
    expect(errorOf(await gql(server, QuizDocument, { id: "nope" }, outsider.token))).toMatchObject({ code: "NOT_FOUND" });
    await client.dispose();
  });

  it("a player who leaves the course answers no more (NOT_ENROLLED), keeps the score, and answers again once enrolled and joined again", async () => {
    const c = await quizClass(server, 1);
    const [s] = c.students;
    const quiz = await createQuiz(server, c.teacher.token, { courseId: c.courseId, questions: questions(3) });
    await joinAll(server, quiz.id, [s]);
    await start(quiz.id, c.teacher.token);
    const first = (await answer(s, quiz.id, quiz.questions[0].id, 0)).data!.answer;
    expect(first.correct).toBe(true);

    expect((await gql(server, DisenrollDocument, { courseId: c.courseId }, s.token)).data!.disenroll.status).toBe("DROPPED");
    // The departure reaches the quiz through an event: until then the question answered says ALREADY_ANSWERED.
    const refused = await eventually(() => answer(s, quiz.id, quiz.questions[0].id, 0), (r) => errorOf(r).reason === "NOT_ENROLLED");
    expect(errorOf(refused)).toMatchObject({ code: "FORBIDDEN", reason: "NOT_ENROLLED" });
    await start(quiz.id, c.teacher.token);
    expect(errorOf(await answer(s, quiz.id, quiz.questions[1].id, 1))).toMatchObject({ code: "FORBIDDEN", reason: "NOT_ENROLLED" });
    expect(errorOf(await gql(server, JoinQuizDocument, { quizId: quiz.id }, s.token))).toMatchObject({ code: "FORBIDDEN", reason: "NOT_ENROLLED" });

    expect((await gql(server, EnrollDocument, { courseId: c.courseId }, s.token)).data!.enroll.status).toBe("ENROLLED");
    expect((await gql(server, JoinQuizDocument, { quizId: quiz.id }, s.token)).data!.joinQuiz.score).toBe(first.totalScore);
    expect((await answer(s, quiz.id, quiz.questions[1].id, 1)).data!.answer.correct).toBe(true);
  });
});

describe("a SELF_PACED quiz", () => {
  it("opens every question in its window, refuses joins before it, and closes itself at closesAt", async () => {
    const [a, b] = cls.students;
    const from = new Date(Date.now() + 1500);
    const quiz = await createQuiz(server, cls.teacher.token, {
      courseId: cls.courseId,
      mode: "SELF_PACED",
      availableFrom: from.toISOString(),
      closesAt: new Date(from.getTime() + 4000).toISOString(),
      questions: questions(3),
    });
    expect(quiz.status).toBe("SCHEDULED");
    expect(errorOf(await gql(server, JoinQuizDocument, { quizId: quiz.id }, a.token))).toEqual({ code: "CONFLICT", reason: "QUIZ_NOT_OPEN" });
    expect(errorOf(await start(quiz.id))).toMatchObject({ reason: "NOT_LIVE_QUIZ" });
    await sleep(from.getTime() - Date.now() + 50);

    await joinAll(server, quiz.id, [a, b]);
    const seen = await quizAs(quiz.id, a.token);
    expect(seen.status).toBe("OPEN");
    expect(seen.questions.map((q) => q.correctOption)).toEqual([null, null, null]); // all open, answers hidden
    // Any order; each once.
    const q = seen.questions.map((x) => x.id);
    expect((await answer(a, quiz.id, q[2], 2)).data!.answer).toMatchObject({ correct: true });
    expect((await answer(a, quiz.id, q[0], 0)).data!.answer).toMatchObject({ correct: true });
    expect(errorOf(await answer(a, quiz.id, q[0], 0))).toMatchObject({ reason: "ALREADY_ANSWERED" });

    const client = wsClient(server, b.token, { lazy: false });
    await connected(client);
    const live = subscribe(client, LeaderboardChangedDocument, { quizId: quiz.id, first: 5 });
    expect((await live.next()).leaderboardChanged.closed).toBe(false);
    // closesAt: answers refused at once; the job closes it, pushes the final board and stores it.
    await sleep(from.getTime() + 4000 - Date.now() + 50);
    expect(errorOf(await answer(b, quiz.id, q[1], 1))).toEqual({ code: "CONFLICT", reason: "QUIZ_CLOSED" });
    let last = await live.next(15_000);
    while (!last.leaderboardChanged.closed) last = await live.next(15_000);
    expect(last.leaderboardChanged.entries[0].player.name).toBe(a.name);
    expect((await quizAs(quiz.id, a.token)).questions.map((x) => x.correctOption)).toEqual([0, 1, 2]);
    await eventually(
      () => mongo.db().collection("quizstandings").countDocuments({ quiz: new ObjectId(quiz.id) }),
      (n) => n === 2,
    );
    await client.dispose();
  }, 40_000);
});
