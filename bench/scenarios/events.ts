// Subscription load: many ADMIN dashboards on `domainEvents` over graphql-ws while sign-ups happen.
// Reports publish-to-delivery latency (event.time on the server -> arrival at each client).
import { benchDeploymentEnv } from "../lib/deployment";
import { DomainEventsDocument } from "../../operations/generated";
import { connected, subscribe, wsClient } from "../../test/support/client";
import { logInAdmin, signUp } from "../../test/support/factories";
import { waitForSubscribers } from "../../test/support/redis";
import { startServer } from "../../test/support/server";
import { cpuMeter, percentile, printTable, rssMb, sleep } from "../lib/measure";

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

    // CPU from the first sign-up until the last delivery arrived (or the wait gave up).
    const meter = cpuMeter([server.proc.pid!], server.env);
    const started = Date.now();
    for (let i = 0; i < opts.events; i++) {
      await signUp(server, "STUDENT");
      await sleep(20);
    }
    const expected = opts.subscribers * opts.events;
    const deadline = Date.now() + 10_000;
    while (delivered < expected && Date.now() < deadline) await sleep(50);
    const seconds = (Date.now() - started) / 1000;
    // One operation: one event delivered to one socket. Per published event (a sign-up, its
    // mutation included, and its fan-out) beside it.
    const cpu = meter.stop(delivered);
    const perEvent = meter.per(opts.events);
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
      serverUsPerOp: cpu.serverUsPerOp,
      redisUsPerOp: cpu.redisUsPerOp,
      dbUsPerOp: cpu.dbUsPerOp,
      serverUsPerEvent: perEvent.serverUsPerOp,
      serverCpuSec: cpu.serverCpuSec,
      redisCpuSec: cpu.redisCpuSec,
      ferretdbCpuSec: cpu.ferretdbCpuSec,
      loadGenCpuSec: cpu.loadGenCpuSec,
      rssIdleMb: rssBefore,
      rssAfterMb: rssAfter,
    };
    printTable("domainEvents fan-out (publish -> delivery at each socket, ms; CPU in µs per delivery, and the server's per published event)", [row]);
    subs.forEach((s) => s.unsubscribe());
    await Promise.all(clients.map((c) => c.dispose()));
    return { scenario: "events", ...row };
  } finally {
    await server.stop();
  }
}
