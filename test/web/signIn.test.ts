// Signing up, out and in through the web client's forms (web/src/screens/Auth.tsx), in a real
// browser: the token the API answers is kept, the home lists what the account can open, a wrong
// password is refused in words.
import type { Browser } from "playwright-core";
import { launch, open, originOf, person, PHONE, screenshot, shows } from "../support/browser";
import { uniqueEmail } from "../support/factories";
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

it("sign up, log out, a wrong password refused, log in", async () => {
  const page = await open(await person(browser, undefined, PHONE), originOf(server.url), "/", false);
  const email = uniqueEmail("web");
  await page.getByRole("tab", { name: "Sign up" }).click();
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByLabel("Name").fill("Nia Newcomer");
  await page.getByLabel("I am").selectOption("STUDENT");
  await page.getByRole("button", { name: "Create account" }).click();
  await shows(page, "Hello, Nia Newcomer");
  await page.locator("[data-connection='connected']").waitFor();
  await shows(page, "Catalogue and my enrollments");

  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: /\S/ }).waitFor();
  expect(await page.getByRole("alert").innerText()).toMatch(/password|credentials/i);
  await screenshot(page, "sign-in-refused-phone");

  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await shows(page, "Hello, Nia Newcomer");
  await page.locator("[data-connection='connected']").waitFor();
}, 60_000);
