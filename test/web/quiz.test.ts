// A live quiz in real browsers (web/src/screens/Quiz.tsx): the host starts a question, three players
// in their own contexts join and answer with the time left shown, and the host's leaderboard shows
// the new order within 1 s of the last answer; the projector shows the same board.
import type { Browser, Page } from "playwright-core";
import { launch, open, originOf, person, PHONE, PROJECTOR, screenshot, shows } from "../support/browser";
import { createQuiz, questions, quizClass } from "../support/quizzes";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

let browser: Browser;
let server: TestServer;
beforeAll(async () => {
  [browser, server] = await Promise.all([launch(), startServer(deploymentEnv())]);
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

/** The names on the page's leaderboard, top first. */
const order = (page: Page) => page.locator(".leaderboard .name").allInnerTexts();
/**
 * In the page (an expression: this file is compiled without DOM types): the board lists exactly
 * `names`, in order, with scores falling from first to second and the second above 0.
 */
const boardIs = (names: string) => `(() => {
  const rows = [...document.querySelectorAll(".leaderboard li")];
  const scores = rows.map((r) => Number(r.querySelector(".score").textContent));
  return rows.map((r) => r.querySelector(".name").textContent).join(",") === ${JSON.stringify(names)} && scores[0] > scores[1] && scores[1] > 0;
})()`;

it("the host starts a question, three players answer, the host's leaderboard shows the new order within 1 s", async () => {
  const cls = await quizClass(server, 3);
  // Option (i % 4) is right: question 1's is "A". Speed counts: the quicker right answer scores more.
  const quiz = await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, title: "Week 3 check", speedBonus: true, questions: questions(2, { timeLimitSeconds: 10 }) });
  const origin = originOf(server.url);
  const path = `/quiz/${quiz.id}`;

  const host = await open(await person(browser, cls.teacher.token), origin, path);
  const projector = await open(await person(browser, cls.teacher.token, PROJECTOR), origin, `${path}/projector`);
  const players = await Promise.all(cls.students.map(async (s) => open(await person(browser, s.token, PHONE), origin, path)));
  for (const p of players) {
    await p.getByRole("button", { name: "Join the quiz" }).click();
    await shows(p, "Waiting for the host");
  }
  await host.locator("[data-players='3']").waitFor({ timeout: 3_000 });

  await host.getByRole("button", { name: "Start next question" }).click();
  for (const p of players) await p.locator("[data-question='1']").waitFor({ timeout: 2_000 });
  // The time left counts down on the player's screen.
  const left = Number(await players[0].locator(".timer").getAttribute("data-seconds-left"));
  expect(left).toBeGreaterThan(5);
  expect(left).toBeLessThanOrEqual(10);
  await screenshot(players[0], "quiz-player");

  // Player 2 wrong, Player 3 right, then Player 1 right but slower (the speed bonus: points fall by
  // 50 a second over a 10 s limit): the last answer gives Player 1 points, and the new order is 3, 1, 2.
  const [p1, p2, p3] = players;
  await p2.getByRole("button", { name: "B", exact: true }).click();
  await p2.locator("[data-answer='wrong']").waitFor();
  await p3.getByRole("button", { name: "A", exact: true }).click();
  await p3.locator("[data-answer='correct']").waitFor();
  // The host's board has Player 3 ahead, the others at 0 (a tie, in either order). A second later
  // (Player 1's answer is worth 50 points less, and the board's throttle window has passed) the
  // last answer.
  await host.waitForFunction(`document.querySelector(".leaderboard .name")?.textContent === "Player 3"`);
  await p1.waitForTimeout(1_000);
  const lastAnswer = Date.now();
  await p1.getByRole("button", { name: "A", exact: true }).click();
  await host.waitForFunction(boardIs("Player 3,Player 1,Player 2"), undefined, { timeout: 1_000, polling: "raf" }).catch(async (e) => {
    throw new Error(`host's board ${Date.now() - lastAnswer} ms after the last answer: ${(await host.locator(".leaderboard").innerText()).replace(/\s+/g, " ")}`, { cause: e });
  });
  const boardMs = Date.now() - lastAnswer;
  expect(boardMs).toBeLessThan(1_000);
  expect(await order(host)).toEqual(["Player 3", "Player 1", "Player 2"]);
  await p1.locator("[data-answer='correct']").waitFor();

  await projector.waitForFunction(boardIs("Player 3,Player 1,Player 2"));
  expect(await order(projector)).toEqual(["Player 3", "Player 1", "Player 2"]);
  await screenshot(host, "quiz-host");
  await screenshot(projector, "quiz-projector");
  console.log(`quiz: host's leaderboard in the new order ${boardMs} ms after the last answer`);
}, 90_000);
