// The explorer without network, in a real browser (Debian's chromium, driven by playwright-core):
// every request to a host other than this machine fails, as offline. The landing page then offers
// the bundled explorer (/explorer, Altair from this server's files), where a query runs with the
// Authorization header and a subscription receives its events over graphql-ws. Production serves
// neither.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { EnrollDocument } from "../../operations/generated";
import { gql } from "../support/client";
import { createCourse, signUp } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

const CHROMIUM = "/usr/bin/chromium";
// The flags this machine's chromium needs (no sandbox as root, no background network to a closed network).
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let browser: Browser;
let server: TestServer;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  server = await startServer(deploymentEnv());
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

/** A page whose requests to anything but this machine fail as they do offline; `outside` lists them. */
async function offlinePage(): Promise<{ page: Page; outside: string[] }> {
  const context = await browser.newContext();
  const outside: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) return route.continue();
    outside.push(url.href);
    return route.abort("internetdisconnected");
  });
  return { page: await context.newPage(), outside };
}

const origin = () => new URL(server.url).origin;

/** Replaces the explorer's operation with `text` and sends it. */
async function send(page: Page, text: string): Promise<void> {
  // The operation editor (the URL box is a one-line editor of its own).
  const editor = page.locator("app-query-editor .cm-content");
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
  await page.getByText("Send Request").click();
}

/** Waits until the page shows `text` (the function runs in the browser, where `document` is). */
const shows = (page: Page, text: string, timeout = 10_000) =>
  page.waitForFunction((t) => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes(t), text, { timeout });

it("offline, the landing page links to the bundled explorer, which runs `me` with a token and receives subscription events", async () => {
  const { page, outside } = await offlinePage();
  await page.goto(server.url, { waitUntil: "domcontentloaded" });
  // Apollo Sandbox's script comes from its CDN: offline it cannot load, and the page says so.
  await shows(page, "Apollo Sandbox cannot be loaded");
  expect(outside.some((u) => u.includes("apollographql.com"))).toBe(true);
  await page.locator("#offline-explorer").click();
  await page.waitForURL(`${origin()}/explorer`);
  await page.getByText("Send Request").waitFor();

  // Without a token the header is empty: anonymous.
  outside.length = 0;
  await send(page, "{ me { id } }");
  await shows(page, '"me": null');

  const teacher = await signUp(server, "INSTRUCTOR");
  const course = await createCourse(server, teacher.token, { capacity: 5 });
  await page.goto(`${origin()}/explorer?token=${teacher.token}`);
  await send(page, "{ me { id } }");
  await shows(page, `"id": "${teacher.id}"`);

  // A subscription over graphql-ws, its connection params carrying the same token: the seats now,
  // then the change a student's enrollment makes.
  await send(page, `subscription { courseSeatsChanged(courseId: "${course.id}") { enrolledCount } }`);
  await shows(page, '"enrolledCount": 0');
  const student = await signUp(server);
  expect((await gql(server, EnrollDocument, { courseId: course.id }, student.token)).data?.enroll.status).toBe("ENROLLED");
  await shows(page, '"enrolledCount": 1');

  // Everything the explorer needed came from this server.
  expect(outside).toEqual([]);
  await page.context().close();
}, 90_000);

it("production serves no landing page and no explorer", async () => {
  const prod = await startServer(deploymentEnv({ NODE_ENV: "production" }));
  const page = await fetch(prod.url, { headers: { accept: "text/html" } });
  expect(page.headers.get("content-type")).not.toMatch(/html/);
  for (const path of ["/explorer", "/explorer/", "/explorer/main.js", "/explorer/index.html"]) {
    expect((await fetch(new URL(path, prod.url))).status).toBe(404);
  }
  await prod.stop();
});
