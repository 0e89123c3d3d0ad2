// The leaderboard throttle across two instances: under a steady stream of answers (through both),
// subscribers on both receive at most 2 pushes per second (LEADERBOARD_THROTTLE_MS = 500), the same
// pushes, and the last push holds the last accepted answer's score.
import { AnswerDocument, LeaderboardChangedDocument, type LeaderboardChangedSubscription } from "../../operations/generated";
import { connected, gql, subscribe, wsClient, type LiveSubscription } from "../support/client";
import { byName, createQuiz, joinAll, questions, quizClass } from "../support/quizzes";
import { waitForSubscribers } from "../support/redis";
import { startServer, stopAll } from "../support/server";

afterAll(stopAll);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("<= 2 pushes per second per subscriber, the same pushes on both instances, the trailing change delivered", async () => {
  const a = await startServer();
  const b = await startServer(a.env);
  const cls = await quizClass(a, 20);
  const quiz = await createQuiz(a, cls.teacher.token, { courseId: cls.courseId, mode: "SELF_PACED", speedBonus: false, questions: questions(20) });
  await joinAll(a, quiz.id, cls.students);

  const subs: { arrivals: number[]; sub: LiveSubscription<LeaderboardChangedSubscription> }[] = [];
  const clients = [wsClient(a, cls.students[0].token, { lazy: false }), wsClient(b, cls.students[1].token, { lazy: false })];
  await Promise.all(clients.map(connected));
  for (const c of clients) {
    const sub = subscribe(c, LeaderboardChangedDocument, { quizId: quiz.id, first: 20 });
    await sub.next(); // the snapshot
    const arrivals: number[] = [];
    const push = sub.received.push.bind(sub.received);
    sub.received.push = (...items) => {
      arrivals.push(...items.map(() => Date.now()));
      return push(...items);
    };
    subs.push({ arrivals, sub });
  }
  await waitForSubscribers(a.env, `quiz-leaderboard:${quiz.id}`, 2);

  // A steady stream: one answer every 40 ms for 4 s, alternating instances, players in turn.
  const last = new Map<string, { total: number; version: number }>();
  const streamStarted = Date.now();
  let sent = 0;
  for (let round = 0; Date.now() - streamStarted < 4000; round++) {
    const player = cls.students[round % cls.students.length];
    const q = quiz.questions[Math.floor(round / cls.students.length)];
    const r = await gql(round % 2 ? a : b, AnswerDocument, { quizId: quiz.id, questionId: q.id, choice: (q.number - 1) % 4 }, player.token);
    expect(r.errors).toBeUndefined();
    last.set(player.id, { total: r.data!.answer.totalScore, version: r.data!.answer.leaderboardVersion });
    sent++;
    await sleep(40);
  }
  const streamSeconds = (Date.now() - streamStarted) / 1000;
  await sleep(1200); // the trailing push arrives within one window

  const lastVersion = Math.max(...[...last.values()].map((v) => v.version));
  const versions = subs.map((s) => s.sub.received.slice(1).map((r) => r.leaderboardChanged.version));
  for (const { arrivals, sub } of subs) {
    const pushes = sub.received.slice(1).map((r) => r.leaderboardChanged);
    // At most 2 per second: consecutive pushes are at least one 500 ms window apart (a snapshot is
    // read by the script that opens its window, on Redis's clock), and arrivals average at most 2 a second.
    const asOf = pushes.map((p) => Date.parse(p.asOf));
    const gaps = asOf.slice(1).map((t, i) => t - asOf[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(499);
    const span = (arrivals.at(-1)! - arrivals[0]) / 1000;
    expect(arrivals.length - 1).toBeLessThanOrEqual(Math.ceil(span * 2));
    expect(pushes.length).toBeGreaterThanOrEqual(Math.floor(streamSeconds * 2) - 1); // and it does push while things change
    expect(pushes.length).toBeLessThanOrEqual(Math.ceil(streamSeconds * 2) + 1);
    // The last push reflects the last accepted answer: its version and every player's final score.
    const final = pushes.at(-1)!;
    expect(final.version).toBeGreaterThanOrEqual(lastVersion);
    const scores = new Map(final.entries.map((e) => [byName(cls, e.player.name).id, e.score]));
    for (const [player, { total }] of last) expect(scores.get(player)).toBe(total);
  }
  // Both instances delivered the same pushes (one decision per window across instances).
  expect(versions[0]).toEqual(versions[1]);
  expect(sent).toBeGreaterThan(50);
  await Promise.all(clients.map((c) => c.dispose()));
}, 60_000);
