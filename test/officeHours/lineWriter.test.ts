// The office-hours line writer (src/domain/officeHours/lineWriter.ts): one write at a time per course,
// the newest waiting version written in place of older ones, failures reported and retried, drain at
// shutdown.
import { Types } from "mongoose";
import type { OfficeHoursDoc } from "../../src/models/officeHours";
import { LineWriter, RETRY_ATTEMPTS } from "../../src/domain/officeHours/lineWriter";

const line = (course: Types.ObjectId, version: number) => ({ _id: course, version }) as unknown as OfficeHoursDoc;

/** A write that finishes when the test says so. */
function gatedWrites() {
  const started: { course: string; version: number; finish: (fail?: Error) => void }[] = [];
  const write = (doc: OfficeHoursDoc) =>
    new Promise<void>((resolve, reject) => started.push({ course: doc._id.toHexString(), version: doc.version, finish: (fail) => (fail ? reject(fail) : resolve()) }));
  return { started, write };
}
const tick = () => new Promise((r) => setImmediate(r));
/** Waits (at most 2 s) until `n` writes have started. */
async function writesStarted(started: unknown[], n: number): Promise<void> {
  const until = performance.now() + 2_000;
  while (started.length < n && performance.now() < until) await new Promise((r) => setTimeout(r, 1));
  expect(started.length).toBeGreaterThanOrEqual(n);
}

it("writes one version of a course at a time, then only the newest of those queued meanwhile", async () => {
  const { started, write } = gatedWrites();
  const writer = new LineWriter(write, () => undefined);
  const a = new Types.ObjectId();
  writer.enqueue(line(a, 1));
  writer.enqueue(line(a, 2));
  writer.enqueue(line(a, 4));
  writer.enqueue(line(a, 3)); // older than the one waiting: never written
  await tick();
  expect(started.map((s) => s.version)).toEqual([1]);
  expect(writer.newest(a.toHexString())).toBe(4);
  started[0].finish();
  await tick();
  expect(started.map((s) => s.version)).toEqual([1, 4]);
  started[1].finish();
  await writer.settled(a.toHexString());
  expect(writer.newest(a.toHexString())).toBeUndefined();
  expect(started.map((s) => s.version)).toEqual([1, 4]);
});

it("writes different courses side by side", async () => {
  const { started, write } = gatedWrites();
  const writer = new LineWriter(write, () => undefined);
  const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
  writer.enqueue(line(a, 1));
  writer.enqueue(line(b, 7));
  await tick();
  expect(started.map((s) => [s.course, s.version])).toEqual([[a.toHexString(), 1], [b.toHexString(), 7]]);
});

it("reports a failed write and goes on with the next version", async () => {
  const { started, write } = gatedWrites();
  const failures: number[] = [];
  const writer = new LineWriter(write, (_err, doc) => failures.push(doc.version));
  const a = new Types.ObjectId();
  writer.enqueue(line(a, 1));
  writer.enqueue(line(a, 2));
  await tick();
  started[0].finish(new Error("MongoDB unavailable"));
  await tick();
  expect(failures).toEqual([1]);
  expect(started.map((s) => s.version)).toEqual([1, 2]);
  started[1].finish();
  await writer.drain();
});

it("tries a failed write again after a pause, doubling, until it is written", async () => {
  const { started, write } = gatedWrites();
  const reports: [number, boolean][] = [];
  const writer = new LineWriter(write, (_err, doc, retrying) => reports.push([doc.version, retrying]), 0, 20);
  const a = new Types.ObjectId();
  writer.enqueue(line(a, 3));
  await tick();
  const failedAt = performance.now();
  started[0].finish(new Error("MongoDB unavailable"));
  await writesStarted(started, 2);
  const firstPause = performance.now() - failedAt;
  started[1].finish(new Error("MongoDB unavailable"));
  const failedAgainAt = performance.now();
  await writesStarted(started, 3);
  const secondPause = performance.now() - failedAgainAt;
  expect(firstPause).toBeGreaterThanOrEqual(15);
  expect(secondPause).toBeGreaterThanOrEqual(35);
  expect(writer.newest(a.toHexString())).toBe(3); // still this instance's to write
  started[2].finish();
  await writer.settled(a.toHexString());
  expect(started.map((s) => s.version)).toEqual([3, 3, 3]);
  expect(reports).toEqual([[3, true], [3, true]]);
  expect(writer.newest(a.toHexString())).toBeUndefined();
});

it(`gives a version up after ${RETRY_ATTEMPTS} failed attempts; a newer version waiting replaces a failed one at once`, async () => {
  const { started, write } = gatedWrites();
  const reports: [number, boolean][] = [];
  const writer = new LineWriter(write, (_err, doc, retrying) => reports.push([doc.version, retrying]), 0, 1);
  const a = new Types.ObjectId();
  writer.enqueue(line(a, 1));
  for (let attempt = 1; attempt <= RETRY_ATTEMPTS; attempt++) {
    await writesStarted(started, attempt);
    started[attempt - 1].finish(new Error("MongoDB unavailable"));
  }
  await writer.settled(a.toHexString());
  expect(reports).toEqual([...Array<[number, boolean]>(RETRY_ATTEMPTS - 1).fill([1, true]), [1, false]]);
  // A failure while a newer version waits: the newer one is written next, the failed one never again.
  writer.enqueue(line(a, 2));
  await tick();
  writer.enqueue(line(a, 3));
  started[RETRY_ATTEMPTS].finish(new Error("MongoDB unavailable"));
  await writesStarted(started, RETRY_ATTEMPTS + 2);
  started[RETRY_ATTEMPTS + 1].finish();
  await writer.settled(a.toHexString());
  expect(started.slice(RETRY_ATTEMPTS).map((s) => s.version)).toEqual([2, 3]);
  expect(reports.slice(RETRY_ATTEMPTS)).toEqual([[2, false]]);
});

it("drain resolves only when every queued line is written, including those queued while draining", async () => {
  const { started, write } = gatedWrites();
  const writer = new LineWriter(write, () => undefined);
  const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
  writer.enqueue(line(a, 1));
  let drained = false;
  const draining = writer.drain().then(() => (drained = true));
  await tick();
  writer.enqueue(line(b, 1));
  started[0].finish();
  await tick();
  expect(drained).toBe(false);
  expect(started).toHaveLength(2);
  started[1].finish();
  await draining;
  expect(drained).toBe(true);
});

it("with a delay, waits before each write and writes only the newest version queued meanwhile; drain writes at once", async () => {
  const { started, write } = gatedWrites();
  const writer = new LineWriter(write, () => undefined, 60_000);
  const a = new Types.ObjectId();
  writer.enqueue(line(a, 1));
  writer.enqueue(line(a, 2));
  await new Promise((r) => setTimeout(r, 50));
  expect(started).toHaveLength(0); // still waiting for newer versions
  const draining = writer.drain();
  await tick();
  expect(started.map((s) => s.version)).toEqual([2]);
  started[0].finish();
  await draining;
});
