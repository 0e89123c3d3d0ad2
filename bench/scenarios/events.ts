// Subscription load: many ADMIN dashboards on `domainEvents` over graphql-ws while sign-ups happen.
// Reports publish-to-delivery latency (event.time on the server -> arrival at each client).
import { benchDeploymentEnv } from "../lib/deployment";
import { DomainEventsDocument } from "../../operations/generated";
import { connected, subscribe, wsClient } from "../../test/support/client";
import { logInAdmin, signUp } from "../../test/support/factories";
import { waitForSubscribers } from "../../test/support/redis";
import { startServer } from "../../test/support/server";
import { percentile, printTable, rssMb, sleep } from "../lib/measure";

export async function eventsBenchmark(opts: { subscribers: number; events: number }) {
  const server = await startServer(
    benchDeploymentEnv(),
  );
  try {
    const admin = await logInAdmin(server);
    const latencies: number[] = [];
    let delivered = 0;
    const clients = Array.from({ length: opts.subscribers }, () => wsClient(server, admin.token, { lazy: false }));
    await Promise.all(clients.map(connected));
    const subs = clients.map((c) => {
      const sub = subscribe(c, DomainEventsDocument, { names: ["UserSignedUp"] });
      const push = sub.received.push.bind(sub.received);
      sub.received.push = (...items) => {
        const now = Date.now();
        for (const item of items) {
          latencies.push(now - Date.parse(item.domainEvents.time));
          delivered++;
        }
        return push(...items);
      };
      return sub;
    });
    await waitForSubscribers(server.env, "events", 1);
    await sleep(1000); // let every socket's subscription reach the server
    const rssBefore = rssMb(server.proc.pid!);

    const started = Date.now();
    for (let i = 0; i < opts.events; i++) {
      await signUp(server, "STUDENT");
      await sleep(20);
    }
    const expected = opts.subscribers * opts.events;
    const deadline = Date.now() + 10_000;
    while (delivered < expected && Date.now() < deadline) await sleep(50);
    const seconds = (Date.now() - started) / 1000;
    const rssAfter = rssMb(server.proc.pid!);

    latencies.sort((a, b) => a - b);
    const row = {
      subscribers: opts.subscribers,
      events: opts.events,
      delivered,
      expected,
      lost: expected - delivered,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      p99Ms: percentile(latencies, 99),
      deliveriesPerSec: Math.round(delivered / seconds),
      rssIdleMb: rssBefore,
      rssAfterMb: rssAfter,
    };
    printTable("domainEvents fan-out (publish -> delivery at each socket, ms)", [row]);
    subs.forEach((s) => s.unsubscribe());
    await Promise.all(clients.map((c) => c.dispose()));
    return { scenario: "events", ...row };
  } finally {
    await server.stop();
  }
}
