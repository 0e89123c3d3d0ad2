// The web client (/app/) in real browsers: Debian's chromium driven by playwright-core, one browser
// context per person (own storage, own socket), pages signed in by putting the token where the app
// keeps it. Screens are saved under docs/screens/ (committed; the README links them).
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
// The flags this machine's chromium needs (no sandbox as root, no background network to a closed network).
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export const PHONE = { width: 390, height: 844 };
export const LAPTOP = { width: 1280, height: 800 };
export const PROJECTOR = { width: 1920, height: 1080 };

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** A person's browser: a context of its own, signed in with `token` (or signed out). */
export async function person(browser: Browser, token?: string, viewport = LAPTOP): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  if (token) await context.addInitScript((t) => localStorage.setItem("campus-live.token", t), token);
  return context;
}

/** Opens `path` of the web app served at `origin` (http://host:port) and waits for the socket to be live when `live`. */
export async function open(context: BrowserContext, origin: string, path: string, live = true): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`page error on ${path}: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && console.error(`console on ${path}: ${m.text()}`));
  await page.goto(`${origin}/app${path}`);
  if (live) {
    await page
      .locator('[data-connection="connected"]')
      .waitFor({ timeout: 15_000 })
      .catch(async (e) => {
        throw new Error(`${path} not live: ${(await page.locator("body").innerText()).slice(0, 500)}`, { cause: e });
      });
  }
  return page;
}

/** Waits until the page shows `text`. */
export const shows = (page: Page, text: string, timeout = 10_000) => page.getByText(text, { exact: false }).first().waitFor({ timeout });

/** Runs `action`, then waits for `check` in the page; resolves with the milliseconds from the action's start. */
export async function timeUntil(page: Page, action: () => Promise<unknown>, check: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await action();
  await check();
  return Date.now() - started;
}

export const SCREENS_DIR = join(__dirname, "..", "..", "docs", "screens");

/** Saves the page as docs/screens/<name>.png: the whole page, or what the window shows when `fullPage` is false. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  // No blinking caret or running animation: the same screen gives the same picture.
  await page.screenshot({ path: join(SCREENS_DIR, `${name}.png`), fullPage, animations: "disabled", caret: "hide" });
}

/** `origin` of a TestServer's or proxy's /graphql URL. */
export const originOf = (graphqlUrl: string) => new URL(graphqlUrl).origin;
