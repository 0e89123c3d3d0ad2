// Office hours in real browsers (web/src/screens/OfficeHours.tsx): staff go on duty and call the
// next student in one context; the student's context shows the invite within 1 s, counts it down and
// shows its expiry (a 3 s TTL); the next student accepts, staff see the meeting and end it; a
// corridor board shows the counts.
import type { Browser } from "playwright-core";
import { EnrollDocument, JoinQueueDocument } from "../../operations/generated";
import { launch, open, originOf, person, PHONE, PROJECTOR, screenshot, shows, timeUntil } from "../support/browser";
import { gql } from "../support/client";
import { createCourse, signUp } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

let browser: Browser;
let server: TestServer;
beforeAll(async () => {
  [browser, server] = await Promise.all([launch(), startServer(deploymentEnv({ INVITE_TTL_SECONDS: "3" }))]);
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

it("staff call next; the student sees the invite within 1 s and its expiry; the next one accepts and the meeting ends", async () => {
  const owner = await signUp(server, "INSTRUCTOR", { name: "Prof. Grace Hopper" });
  const course = await createCourse(server, owner.token, { title: "Compilers", capacity: 20 });
  const [ada, ben, cy] = await Promise.all(["Ada Lovelace", "Ben Bitdiddle", "Cy D. Fect"].map((name) => signUp(server, "STUDENT", { name })));
  for (const s of [ada, ben, cy]) expect((await gql(server, EnrollDocument, { courseId: course.id }, s.token)).data?.enroll.status).toBe("ENROLLED");
  const origin = originOf(server.url);
  const path = `/office-hours/${course.id}`;

  const staff = await open(await person(browser, owner.token), origin, path);
  await staff.getByRole("button", { name: "Go on duty" }).click();
  await shows(staff, "You are on duty");

  const adaPage = await open(await person(browser, ada.token, PHONE), origin, path);
  const benPage = await open(await person(browser, ben.token, PHONE), origin, path);
  await adaPage.getByLabel("My question").fill("Why does my parser loop?");
  await adaPage.getByRole("button", { name: "Join the line" }).click();
  await shows(adaPage, "Position 1");
  await benPage.getByLabel("My question").fill("Is left recursion allowed?");
  await benPage.getByRole("button", { name: "Join the line" }).click();
  await shows(benPage, "Position 2");
  // A third student joins from another client: the staff console's line grows live.
  expect((await gql(server, JoinQueueDocument, { courseId: course.id, question: "Exam scope?" }, cy.token)).data).toBeTruthy();
  await staff.locator("[data-waiting='3']").waitFor();

  // Call next: the invite reaches the student's page within 1 s of the click.
  const inviteMs = await timeUntil(
    adaPage,
    () => staff.getByRole("button", { name: "Call next" }).click(),
    () => shows(adaPage, "You are invited", 1_000),
  );
  expect(inviteMs).toBeLessThan(1_000);
  await shows(adaPage, "Accept within");
  // Ben moved up.
  await benPage.locator("[data-position='1']").waitFor({ timeout: 2_000 });
  await screenshot(adaPage, "office-hours-student-invite");

  // Nobody accepts: after the 3 s TTL the student's page says the invite expired.
  const expiredMs = await timeUntil(adaPage, async () => undefined, () => adaPage.locator("[data-entry-status='EXPIRED']").waitFor({ timeout: 6_000 }));
  expect(expiredMs).toBeLessThan(5_000);
  await shows(adaPage, "Invite expired");

  // Ben is called, accepts; staff see the meeting and end it.
  await staff.getByRole("button", { name: "Call next" }).click();
  await shows(benPage, "You are invited", 2_000);
  await benPage.getByRole("button", { name: "Accept invite" }).click();
  await benPage.locator("[data-entry-status='IN_MEETING']").waitFor({ timeout: 2_000 });
  const end = staff.getByRole("button", { name: "End meeting with Ben Bitdiddle" });
  await end.waitFor({ timeout: 2_000 });

  const board = await open(await person(browser, owner.token, PROJECTOR), origin, `${path}/board`);
  await board.locator("[data-board-waiting='1']").waitFor();
  await screenshot(board, "office-hours-board");

  await screenshot(staff, "office-hours-staff-console");
  await end.click();
  await benPage.locator("[data-entry-status='DONE']").waitFor({ timeout: 2_000 });
  await end.waitFor({ state: "detached", timeout: 2_000 });
  console.log(`office hours: invite shown ${inviteMs} ms after the click; expiry shown ${expiredMs} ms after the invite`);
}, 90_000);
