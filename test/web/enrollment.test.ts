// Enrollment in real browsers (web/src/screens/Enrollment.tsx): one student enrolls and another
// student's catalogue shows the seat taken within 1 s; a waitlisted student is promoted live when the
// seat frees, and the one behind moves up live, then is promoted when the other switches course; a
// refusal is shown in words.
import type { Browser } from "playwright-core";
import { EnrollDocument } from "../../operations/generated";
import { launch, open, originOf, person, PHONE, screenshot, shows, timeUntil } from "../support/browser";
import { gql } from "../support/client";
import { createCourse, signUp } from "../support/factories";
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

it("a seat taken in one context shows in another within 1 s; the waitlist moves live; refusals in words", async () => {
  const teacher = await signUp(server, "INSTRUCTOR", { name: "Prof. Edgar Codd" });
  const tag = Math.random().toString(36).slice(2, 6).toUpperCase();
  // One seat and two waitlist places; a course with no seat and no waitlist for the refusal.
  const db = await createCourse(server, teacher.token, { code: `DB${tag}`, title: `Databases ${tag}`, capacity: 1, reserveCapacity: 2 });
  const full = await createCourse(server, teacher.token, { code: `SEM${tag}`, title: `Seminar ${tag}`, capacity: 0, reserveCapacity: 0 });
  await createCourse(server, teacher.token, { code: `OS${tag}`, title: `Operating systems ${tag}`, capacity: 30 });
  const [ann, bo, cy] = await Promise.all(["Ann Ames", "Bo Berg", "Cy Chan"].map((name) => signUp(server, "STUDENT", { name })));
  const origin = originOf(server.url);
  const path = `/enrollment`;
  const annPage = await open(await person(browser, ann.token, PHONE), origin, path);
  const boPage = await open(await person(browser, bo.token), origin, path);
  const cyPage = await open(await person(browser, cy.token, PHONE), origin, path);
  for (const p of [annPage, boPage, cyPage]) {
    await p.getByLabel("Search courses").fill(tag);
    await p.getByRole("button", { name: "Search", exact: true }).click();
    await p.locator(`[data-course='${db.code}'] [data-seats-left='1']`).waitFor();
  }

  // Ann takes the seat: Bo's catalogue shows it within 1 s.
  const seatMs = await timeUntil(
    boPage,
    () => annPage.getByRole("button", { name: `Enroll in ${db.code}` }).click(),
    () => boPage.locator(`[data-course='${db.code}'] [data-seats-left='0']`).waitFor({ timeout: 1_000 }),
  );
  expect(seatMs).toBeLessThan(1_000);
  await annPage.locator(`[data-enrollment='${db.code}'][data-status='ENROLLED']`).waitFor();

  // Bo joins the waitlist from the page, Cy from another client: places 1 and 2.
  await boPage.getByRole("button", { name: `Join the waitlist of ${db.code}` }).click();
  await boPage.locator(`[data-enrollment='${db.code}'][data-status='WAITLISTED'][data-position='1']`).waitFor();
  expect((await gql(server, EnrollDocument, { courseId: db.id }, cy.token)).data?.enroll.position).toBe(2);
  await cyPage.locator(`[data-enrollment='${db.code}'][data-status='WAITLISTED'][data-position='2']`).waitFor({ timeout: 2_000 });
  await boPage.locator(`[data-course='${db.code}'] [data-waitlist='2']`).waitFor({ timeout: 1_000 });

  // Ann drops: Bo is promoted live, Cy moves up to place 1 live.
  const promotedMs = await timeUntil(
    boPage,
    () => annPage.getByRole("button", { name: `Drop ${db.code}` }).click(),
    () => boPage.locator(`[data-enrollment='${db.code}'][data-status='ENROLLED']`).waitFor({ timeout: 1_000 }),
  );
  expect(promotedMs).toBeLessThan(1_000);
  await cyPage.locator(`[data-enrollment='${db.code}'][data-position='1']`).waitFor({ timeout: 1_000 });

  // Bo switches to another course: the seat frees and Cy is promoted live.
  await boPage.getByRole("listitem").filter({ hasText: db.code }).getByLabel("Switch to").selectOption({ label: `OS${tag}` });
  await boPage.getByRole("button", { name: `Switch ${db.code}` }).click();
  await boPage.locator(`[data-enrollment='OS${tag}'][data-status='ENROLLED']`).waitFor();
  await boPage.locator(`[data-enrollment='${db.code}']`).waitFor({ state: "detached" });
  await cyPage.locator(`[data-enrollment='${db.code}'][data-status='ENROLLED']`).waitFor({ timeout: 1_000 });

  // A refusal, in words.
  await annPage.getByRole("button", { name: `Join the waitlist of ${full.code}` }).click();
  await shows(annPage, "The course and its waitlist are full.");
  await screenshot(annPage, "enrollment-refusal-phone");
  await screenshot(boPage, "enrollment-catalogue");
  await screenshot(cyPage, "enrollment-waitlist-phone");
  console.log(`enrollment: seat shown taken ${seatMs} ms after the click; promotion shown ${promotedMs} ms after the drop`);
}, 90_000);
