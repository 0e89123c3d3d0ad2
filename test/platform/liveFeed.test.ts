// liveFeed (src/events/liveFeed.ts), under every subscription: a long-lived subscription must not keep
// the events it has delivered. Measured in a child process with --expose-gc, on the build in dist/.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const LIVE = join(__dirname, "..", "..", "dist", "src", "events", "liveFeed.js");

const SCRIPT = `
const { liveFeed } = require(${JSON.stringify(LIVE)});
const EVENTS = 40000;
async function* source() {
  for (let i = 0; i < EVENTS + 1000; i++) yield { i, payload: "x".repeat(1000) + i };
  await new Promise(() => {}); // then nothing more, as a quiet topic
}
(async () => {
  const feed = liveFeed(source(), (e) => [e.i], async () => -1)[Symbol.asyncIterator]();
  if ((await feed.next()).value !== -1) throw new Error("snapshot not first");
  for (let i = 0; i < 1000; i++) await feed.next();
  global.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < EVENTS; i++) {
    const r = await feed.next();
    if (r.value !== 1000 + i) throw new Error("out of order: " + r.value);
  }
  global.gc();
  const grownMb = (process.memoryUsage().heapUsed - before) / 1048576;
  // The client leaves while the source is waiting: the feed must still end.
  const ended = await Promise.race([feed.return().then(() => "ended"), new Promise((r) => setTimeout(() => r("hung"), 5000))]);
  console.log(JSON.stringify({ grownMb, ended }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe("liveFeed", () => {
  it("keeps no delivered event: heap flat over 40,000 events of 1 KB on one open subscription, and it ends when the client leaves", () => {
    const run = spawnSync(process.execPath, ["--expose-gc", "-e", SCRIPT], { encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    // Keeping them costs ~30 MB here (each event and the promise that carried it).
    expect(result.grownMb).toBeLessThan(10);
    expect(result.ended).toBe("ended");
  });
});
