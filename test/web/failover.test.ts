// Two server instances of one deployment (same MongoDB, Redis and prefix) behind one address, as in
// production behind a load balancer (test/support/proxy.ts). The page's instance is stopped
// (SIGTERM): the page says it is reconnecting, reconnects through the same address to the other
// instance, and shows the current state (subscriptions resend their snapshot; queries are read
// again), including a change made while it was disconnected; later changes keep arriving.
import type { Browser } from "playwright-core";
import { EnrollDocument } from "../../operations/generated";
import { launch, open, originOf, person, screenshot } from "../support/browser";
import { gql } from "../support/client";
import { startCluster, type Cluster } from "../support/cluster";
import { createCourse, signUp } from "../support/factories";
import { failoverProxy, type Proxy } from "../support/proxy";
import { deploymentEnv, stopAll } from "../support/server";

let browser: Browser;
let cluster: Cluster;
let proxy: Proxy;
beforeAll(async () => {
  [browser, cluster] = await Promise.all([launch(), startCluster(2, deploymentEnv())]);
  proxy = await failoverProxy(cluster.instances);
});
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await stopAll();
});

it("the page's instance stops: it shows it is reconnecting, reconnects to the other and shows the current state", async () => {
  const [a, b] = cluster.instances;
  const teacher = await signUp(b, "INSTRUCTOR");
  const tag = Math.random().toString(36).slice(2, 6).toUpperCase();
  const course = await createCourse(b, teacher.token, { code: `NET${tag}`, title: `Networks ${tag}`, capacity: 10 });
  const [watcher, others] = await Promise.all([signUp(b, "STUDENT", { name: "Wes Watcher" }), Promise.all([1, 2].map(() => signUp(b)))]);

  const page = await open(await person(browser, watcher.token), originOf(proxy.url), "/enrollment");
  await page.getByLabel("Search courses").fill(tag);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  const seats = (n: number, timeout = 5_000) => page.locator(`[data-course='${course.code}'] [data-seats-left='${n}']`).waitFor({ timeout });
  await seats(10);
  // Every connection so far went to instance A (the proxy's first choice while it is up).
  // The banner's states from now on, as the page shows them.
  await page.evaluate(`(() => {
    const el = document.querySelector("[data-connection]");
    window.connectionStates = [];
    new MutationObserver(() => window.connectionStates.push(el.dataset.connection)).observe(el, { attributes: true });
  })()`);

  const stopped = a.stop();
  await page.locator("[data-connection='reconnecting']").waitFor({ timeout: 5_000 });
  // A change while the page is disconnected, made on the other instance.
  expect((await gql(b, EnrollDocument, { courseId: course.id }, others[0].token)).data?.enroll.status).toBe("ENROLLED");
  expect(await stopped).toBe(0);

  await page.locator("[data-connection='connected']").waitFor({ timeout: 15_000 });
  await seats(9);
  expect(await page.evaluate("window.connectionStates")).toEqual(expect.arrayContaining(["reconnecting", "connected"]));
  // Live again, on instance B: the next change arrives as it happens.
  expect((await gql(b, EnrollDocument, { courseId: course.id }, others[1].token)).data?.enroll.status).toBe("ENROLLED");
  await seats(8, 1_000);
  // The page's own action goes through the same address to B.
  await page.getByRole("button", { name: `Enroll in ${course.code}` }).click();
  await page.locator(`[data-enrollment='${course.code}'][data-status='ENROLLED']`).waitFor();
  await seats(7, 1_000);
  await screenshot(page, "failover-after-reconnect");
}, 90_000);
