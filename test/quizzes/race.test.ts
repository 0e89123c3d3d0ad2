// Once-only answers under concurrency: real requests racing through two instances on one Redis.
import { MongoClient, ObjectId } from "mongodb";
import { AnswerDocument, CloseQuizDocument, LeaderboardDocument, StartQuestionDocument } from "../../operations/generated";
import { gql } from "../support/client";
import { eventually } from "../support/factories";
import { byName, createQuiz, joinAll, questions, quizClass, type QuizClass } from "../support/quizzes";
import { startServer, stopAll, type TestServer } from "../support/server";

let a: TestServer;
let b: TestServer;
let cls: QuizClass;
let mongo: MongoClient;

beforeAll(async () => {
  a = await startServer();
  b = await startServer(a.env);
  cls = await quizClass(a, 40);
  mongo = await MongoClient.connect(a.env.MONGO_URL);
}, 60_000);
afterAll(async () => {
  await mongo?.close();
  await stopAll();
});

const outcome = (r: Awaited<ReturnType<typeof gql>>) =>
  r.data ? "SCORED" : String((r.errors?.[0]?.extensions as { reason?: string } | undefined)?.reason);
const tally = (list: string[]) => list.reduce<Record<string, number>>((t, o) => ({ ...t, [o]: (t[o] ?? 0) + 1 }), {});

it("the same answer 20 times in parallel (two instances): exactly one is scored, 19 get ALREADY_ANSWERED; ten players at once", async () => {
  const players = cls.students.slice(0, 10);
  const quiz = await createQuiz(a, cls.teacher.token, { courseId: cls.courseId, questions: questions(1) });
  await joinAll(a, quiz.id, players);
  await gql(a, StartQuestionDocument, { quizId: quiz.id }, cls.teacher.token);
  const questionId = quiz.questions[0].id;

  const results = await Promise.all(
    players.flatMap((p) =>
      Array.from({ length: 20 }, (_, i) =>
        gql(i % 2 ? a : b, AnswerDocument, { quizId: quiz.id, questionId, choice: 0 }, p.token).then((r) => ({ player: p.id, r })),
      ),
    ),
  );
  const scored = new Map<string, number>();
  for (const p of players) {
    const mine = results.filter((x) => x.player === p.id);
    expect(tally(mine.map((x) => outcome(x.r)))).toEqual({ SCORED: 1, ALREADY_ANSWERED: 19 });
    scored.set(p.id, mine.find((x) => x.r.data)!.r.data!.answer.totalScore);
  }
  // The leaderboard counted each player once, and MongoDB holds one answer per player.
  const board = (await gql(b, LeaderboardDocument, { quizId: quiz.id, first: 10 }, cls.teacher.token)).data!.leaderboard;
  // Players by name: the host sees no player ids.
  expect(new Map(board.entries.map((e) => [byName(cls, e.player.name).id, e.score]))).toEqual(scored);
  const stored = await eventually(
    () => mongo.db().collection("quizanswers").find({ quiz: new ObjectId(quiz.id) }).toArray(),
    (docs) => docs.length >= 10,
  );
  await new Promise((r) => setTimeout(r, 700)); // one more flush: nothing else arrives
  expect(await mongo.db().collection("quizanswers").countDocuments({ quiz: new ObjectId(quiz.id) })).toBe(10);
  expect(new Map(stored.map((d) => [d.user.toHexString(), d.pointsAwarded]))).toEqual(scored);
}, 60_000);

it("answers racing closeQuiz: each is scored before the close or refused with QUIZ_CLOSED, and the stored standings agree", async () => {
  const players = cls.students;
  const quiz = await createQuiz(a, cls.teacher.token, { courseId: cls.courseId, speedBonus: false, questions: questions(1) });
  await joinAll(a, quiz.id, players);
  await gql(a, StartQuestionDocument, { quizId: quiz.id }, cls.teacher.token);
  const questionId = quiz.questions[0].id;

  const answers = players.map((p, i) =>
    new Promise((r) => setTimeout(r, i * 2)).then(() => gql(i % 2 ? a : b, AnswerDocument, { quizId: quiz.id, questionId, choice: 0 }, p.token)),
  );
  const closing = new Promise((r) => setTimeout(r, 40)).then(() => gql(b, CloseQuizDocument, { quizId: quiz.id }, cls.teacher.token));
  const [results, closed] = await Promise.all([Promise.all(answers), closing]);
  const closedAt = Date.parse(closed.data!.closeQuiz.closedAt!);
  const outcomes = tally(results.map(outcome));
  expect(Object.keys(outcomes).every((k) => k === "SCORED" || k === "QUIZ_CLOSED")).toBe(true);
  for (const r of results) if (r.data) expect(Date.parse(r.data.answer.answeredAt)).toBeLessThanOrEqual(closedAt);

  const scoredPlayers = results.flatMap((r, i) => (r.data ? [players[i].id] : [])).sort();
  const standings = await eventually(
    () => mongo.db().collection("quizstandings").find({ quiz: new ObjectId(quiz.id), score: { $gt: 0 } }).toArray(),
    (docs) => docs.length === scoredPlayers.length,
  );
  expect(standings.map((s) => s.user.toHexString()).sort()).toEqual(scoredPlayers);
  // After the close, nothing more is taken from anyone.
  const late = await Promise.all(players.slice(0, 5).map((p) => gql(a, AnswerDocument, { quizId: quiz.id, questionId, choice: 0 }, p.token)));
  expect(late.map(outcome)).toEqual(late.map(() => "QUIZ_CLOSED"));
}, 60_000);

it("answers racing the time limit: each is in time and scored, or refused with QUESTION_CLOSED", async () => {
  const players = cls.students;
  const quiz = await createQuiz(a, cls.teacher.token, { courseId: cls.courseId, questions: questions(1, { timeLimitSeconds: 1 }) });
  await joinAll(a, quiz.id, players);
  const started = (await gql(a, StartQuestionDocument, { quizId: quiz.id }, cls.teacher.token)).data!.startQuestion;
  const ends = Date.parse(started.closesAt!);
  const questionId = quiz.questions[0].id;
  // Spread around the deadline: from 200 ms before to 200 ms after.
  const results = await Promise.all(
    players.map((p, i) => {
      const at = ends - 200 + i * 10;
      return new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()))).then(() =>
        gql(i % 2 ? a : b, AnswerDocument, { quizId: quiz.id, questionId, choice: 0 }, p.token),
      );
    }),
  );
  const outcomes = tally(results.map(outcome));
  expect(Object.keys(outcomes).every((k) => k === "SCORED" || k === "QUESTION_CLOSED")).toBe(true);
  expect(outcomes.QUESTION_CLOSED).toBeGreaterThan(0);
  for (const r of results) {
    if (!r.data) continue;
    expect(Date.parse(r.data.answer.answeredAt)).toBeLessThanOrEqual(ends);
    expect(r.data.answer.pointsAwarded).toBeGreaterThanOrEqual(500); // half the points at the very end, never less
  }
}, 60_000);
