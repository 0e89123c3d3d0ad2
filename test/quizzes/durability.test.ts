// Nothing acknowledged is lost: SIGKILL the server during a burst of 5,000 answers, restart it, and
// every answer acknowledged to a client is in MongoDB exactly once, and the leaderboard equals a
// recomputation from the stored answers.
import { MongoClient, ObjectId } from "mongodb";
import { Pool } from "undici";
import { AnswerDocument, LeaderboardDocument, MyQuizResultDocument } from "../../operations/generated";
import { gql, source } from "../support/client";
import { eventually } from "../support/factories";
import { byName, createQuiz, joinAll, questions, quizClass } from "../support/quizzes";
import { deploymentEnv, startServer, stopAll } from "../support/server";

afterAll(stopAll);

const PLAYERS = 250;
const QUESTIONS = 20;

it("keeps every acknowledged answer through a SIGKILL during a 5,000-answer burst", async () => {
  const env = deploymentEnv({ LOG_CLAIM_IDLE_MS: "1000" });
  const first = await startServer(env);
  const cls = await quizClass(first, PLAYERS);
  const quiz = await createQuiz(first, cls.teacher.token, { courseId: cls.courseId, mode: "SELF_PACED", questions: questions(QUESTIONS) });
  await joinAll(first, quiz.id, cls.students);

  const burst = cls.students.flatMap((s, p) => quiz.questions.map((q, i) => ({ s, q: q.id, choice: (p + i) % 4 })));
  const query = source(AnswerDocument);
  const acknowledged = new Map<string, { points: number }>(); // "user question" -> the answer's points
  const pools = Array.from({ length: 4 }, () => new Pool(new URL(first.url).origin, { connections: 16 }));
  let next = 0;
  let killed = false;
  await Promise.all(
    Array.from({ length: 64 }, async (_, worker) => {
      const pool = pools[worker % pools.length];
      while (next < burst.length && !killed) {
        const a = burst[next++];
        try {
          const res = await pool.request({
            path: "/graphql",
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${a.s.token}` },
            body: JSON.stringify({ query, variables: { quizId: quiz.id, questionId: a.q, choice: a.choice } }),
          });
          const body = (await res.body.json()) as { data?: { answer: { pointsAwarded: number } } };
          if (body.data?.answer) acknowledged.set(`${a.s.id} ${a.q}`, { points: body.data.answer.pointsAwarded });
        } catch {
          /* the connection died with the server: not acknowledged */
        }
        if (acknowledged.size >= 1500 && !killed) {
          killed = true;
          await first.kill();
        }
      }
    }),
  );
  await Promise.all(pools.map((p) => p.destroy()));
  expect(killed).toBe(true);
  expect(acknowledged.size).toBeGreaterThanOrEqual(1500);
  expect(acknowledged.size).toBeLessThan(burst.length);

  const second = await startServer(env);
  const mongo = await MongoClient.connect(env.MONGO_URL);
  try {
    const answers = mongo.db().collection("quizanswers");
    const quizOid = new ObjectId(quiz.id);
    // Every acknowledged answer arrives (the dead writer's pending entries are claimed), once.
    const stored = await eventually(
      () => answers.find({ quiz: quizOid }).toArray(),
      (docs) => {
        const keys = new Set(docs.map((d) => `${d.user.toHexString()} ${d.question.toHexString()}`));
        return [...acknowledged.keys()].every((k) => keys.has(k));
      },
      30_000,
    );
    const byKey = new Map<string, number>();
    for (const d of stored) {
      const k = `${d.user.toHexString()} ${d.question.toHexString()}`;
      byKey.set(k, (byKey.get(k) ?? 0) + 1);
    }
    expect([...byKey.values()].filter((n) => n !== 1)).toEqual([]);
    for (const [k, ack] of acknowledged) expect(stored.find((d) => `${d.user.toHexString()} ${d.question.toHexString()}` === k)!.pointsAwarded).toBe(ack.points);

    // The leaderboard (Redis) equals a recomputation from the stored answers, for every player.
    const recompute = async () => {
      const docs = await answers.find({ quiz: quizOid }).toArray();
      const totals = new Map(cls.students.map((s) => [s.id, 0]));
      for (const d of docs) totals.set(d.user.toHexString(), totals.get(d.user.toHexString())! + d.pointsAwarded);
      return totals;
    };
    const board = (await gql(second, LeaderboardDocument, { quizId: quiz.id, first: 100 }, cls.teacher.token)).data!.leaderboard;
    expect(board.playerCount).toBe(PLAYERS);
    const totals = await eventually(recompute, (t) => board.entries.every((e) => t.get(byName(cls, e.player.name).id) === e.score), 20_000);
    const expectedTop = [...totals.values()].sort((x, y) => y - x).slice(0, 100);
    expect(board.entries.map((e) => e.score)).toEqual(expectedTop);
    for (let i = 0; i < cls.students.length; i += 100) {
      const results = await Promise.all(
        cls.students.slice(i, i + 100).map((s) => gql(second, MyQuizResultDocument, { quizId: quiz.id }, s.token)),
      );
      results.forEach((r, j) => expect([cls.students[i + j].id, r.data!.myQuizResult.score]).toEqual([cls.students[i + j].id, totals.get(cls.students[i + j].id)]));
    }
  } finally {
    await mongo.close();
  }
}, 300_000);
