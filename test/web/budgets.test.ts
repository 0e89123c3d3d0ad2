// The web client's budgets, measured in the browser:
// - first load of /app/: at most 250 KB of JavaScript, each file the browser downloads gzipped;
//   the server sends it gzipped, hashed files cached for good, index.html revalidated, any screen's
//   path answering index.html;
// - a staff console holding a line of 2,000 students: a live update renders in under 100 ms, from
//   the WebSocket message arriving to the DOM changed (performance.now() in the page).
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { EnrollDocument, ImportRosterDocument, JoinQueueDocument, LeaveQueueDocument, OpenOfficeHoursDocument } from "../../operations/generated";
import { createGroup, createSchool } from "../attendance/fixtures";
import { mapConcurrently } from "../../src/platform/async";
import { must } from "../../bench/lib/setup";
import { launch, open, originOf, person, screenshot } from "../support/browser";
import { gql } from "../support/client";
import { createCourse, logInAdmin, signUp } from "../support/factories";
import { tokenFor } from "../support/tokens";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

const JS_BUDGET_KB = 250;
const ROWS = 2_000;
const RENDER_BUDGET_MS = 100;
/** Live updates measured: half students joining at the end of the line, half leaving from its middle. */
const SAMPLES = 20;

let browser: Browser;
let server: TestServer;
beforeAll(async () => {
  [browser, server] = await Promise.all([launch(), startServer(deploymentEnv())]);
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

it(`first load of /app/ downloads at most ${JS_BUDGET_KB} KB of gzipped JavaScript, served gzipped and cached`, async () => {
  const context = await person(browser);
  const page = await context.newPage();
  const scripts: { url: string; bytes: number; gzipped: number; encoding?: string; cache?: string }[] = [];
  page.on("response", async (r) => {
    if (r.request().resourceType() !== "script") return;
    const body = await r.body();
    const headers = await r.allHeaders();
    scripts.push({ url: r.url(), bytes: body.length, gzipped: gzipSync(body).length, encoding: headers["content-encoding"], cache: headers["cache-control"] });
  });
  await page.goto(`${originOf(server.url)}/app/`);
  await page.getByRole("button", { name: "Log in" }).first().waitFor();
  await page.waitForLoadState("networkidle");
  expect(scripts.length).toBeGreaterThan(0);
  const totalKb = scripts.reduce((n, s) => n + s.gzipped, 0) / 1024;
  console.log(`first load of /app/: ${scripts.length} JS file(s), ${(scripts.reduce((n, s) => n + s.bytes, 0) / 1024).toFixed(1)} KB, ${totalKb.toFixed(1)} KB gzipped`);
  expect(totalKb).toBeLessThanOrEqual(JS_BUDGET_KB);
  for (const s of scripts) {
    expect(s.encoding).toBe("gzip");
    expect(s.cache).toBe("public, max-age=31536000, immutable");
  }
  await context.close();

  // index.html for every screen's path, revalidated; a missing file is a 404, not the page.
  const origin = originOf(server.url);
  for (const path of ["/app/", "/app/quiz/abc/projector", "/app/enrollment"]) {
    const r = await fetch(origin + path, { headers: { "accept-encoding": "gzip" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.headers.get("cache-control")).toBe("no-cache");
    expect(await r.text()).toContain('<div id="app">');
  }
  expect((await fetch(`${origin}/app/assets/missing.js`)).status).toBe(404);
  expect((await fetch(`${origin}/app`, { redirect: "manual" })).headers.get("location")).toBe("/app/");
}, 60_000);

it(`a staff console with ${ROWS} students in line renders a live update in under ${RENDER_BUDGET_MS} ms`, async () => {
  const staff = await signUp(server, "INSTRUCTOR", { name: "Prof. Busy" });
  const course = await createCourse(server, staff.token, { capacity: ROWS + 10 });
  expect((await gql(server, OpenOfficeHoursDocument, { courseId: course.id, meetingLink: "https://meet.example.edu/busy" }, staff.token)).data).toBeTruthy();
  const started = Date.now();
  // Set-up at speed: 2,010 roster-only STUDENT accounts from one importRoster (real accounts that
  // cannot log in), each with a token signed with the deployment's secret as logIn would sign it;
  // each enrolls and joins the line through the API.
  const admin = await logInAdmin(server);
  const schoolId = await createSchool(server, admin);
  const groupId = await createGroup(server, admin, schoolId);
  const rows = Array.from({ length: ROWS + SAMPLES / 2 }, (_, i) => ({ groupId, name: `Student ${i + 1}` }));
  const imported = await gql(server, ImportRosterDocument, { input: { rows } }, admin.token);
  const tokens = imported.data!.importRoster.studentIds.map((id) => tokenFor("STUDENT", id));
  const inLine = tokens.slice(0, ROWS);
  const extra = tokens.slice(ROWS);
  await mapConcurrently(tokens.length, 16, async (i) => {
    const enrolled = await gql(server, EnrollDocument, { courseId: course.id }, tokens[i]);
    if (enrolled.data?.enroll.status !== "ENROLLED") throw new Error(`enroll: ${JSON.stringify(enrolled.errors)}`);
  });
  const enrolledAt = Date.now();
  // One course's line takes one join at a time (a lock per line): several at once, retried when busy.
  await mapConcurrently(ROWS, 8, (i) => must(() => gql(server, JoinQueueDocument, { courseId: course.id, question: `Question ${i + 1}` }, inLine[i])));
  console.log(`enrolled in ${((enrolledAt - started) / 1000).toFixed(1)} s, in line ${((Date.now() - enrolledAt) / 1000).toFixed(1)} s later`);
  console.log(`set-up of ${ROWS} students in line: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const context = await person(browser, staff.token);
  // Before the app's own code: the time each WebSocket message arrives, and the first DOM change
  // of the line's table after it.
  await context.addInitScript(`(() => {
    window.liveTimes = [];
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener("message", (e) => {
          if (String(e.data).includes('"queueChanged"')) window.liveTimes.push({ arrived: performance.now(), rendered: null });
        });
      }
    };
    new MutationObserver(() => {
      const last = window.liveTimes[window.liveTimes.length - 1];
      const body = document.querySelector("table.line tbody");
      if (last && last.rendered === null && body) last.rendered = performance.now();
    }).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
  })()`);
  const page = await open(context, originOf(server.url), `/office-hours/${course.id}`);
  await page.locator(`[data-waiting='${ROWS}']`).waitFor({ timeout: 30_000 });
  expect(await page.locator("table.line tbody tr").count()).toBe(ROWS);

  // Live updates: students joining at the end of the line, others leaving from its middle.
  const samples: number[] = [];
  const measure = async (change: () => Promise<unknown>, waiting: number) => {
    const before = (await page.evaluate("window.liveTimes.length")) as number;
    await change();
    await page.locator(`[data-waiting='${waiting}']`).waitFor({ timeout: 5_000 });
    const times = (await page.evaluate("window.liveTimes")) as { arrived: number; rendered: number | null }[];
    const last = times[times.length - 1];
    expect(times.length).toBeGreaterThan(before);
    samples.push(last.rendered! - last.arrived);
  };
  let waiting = ROWS;
  for (const token of extra) await measure(() => gql(server, JoinQueueDocument, { courseId: course.id, question: "One more" }, token), ++waiting);
  for (const token of inLine.slice(1000, 1000 + SAMPLES / 2)) await measure(() => gql(server, LeaveQueueDocument, { courseId: course.id }, token), --waiting);
  await screenshot(page, "office-hours-2000-rows", false);
  samples.sort((x, y) => x - y);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(1);
  console.log(`${ROWS} rows, live update -> DOM updated (${samples.length} updates): median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`);
  // Nine updates in ten within the budget (this test runs alone: `npm run test:budgets`); one stalled
  // by the shared machine is allowed, a slow render of every update is not.
  expect(samples[Math.floor(0.9 * samples.length) - 1]).toBeLessThan(RENDER_BUDGET_MS);
}, 300_000);
