// The office-hours line writer (src/domain/officeHours/lineWriter.ts): one write at a time per course,
// the newest waiting version written in place of older ones, failures reported, drain at shutdown.
import { Types } from "mongoose";
import type { OfficeHoursDoc } from "../../src/models/officeHours";
import { LineWriter } from "../../src/domain/officeHours/lineWriter";

const line = (course: Types.ObjectId, version: number) => ({ _id: course, version }) as unknown as OfficeHoursDoc;

/** A write that finishes when the test says so. */
function gatedWrites() {
  const started: { course: string; version: number; finish: (fail?: Error) => void }[] = [];
  const write = (doc: OfficeHoursDoc) =>
    new Promise<void>((resolve, reject) => started.push({ course: doc._id.toHexString(), version: doc.version, finish: (fail) => (fail ? reject(fail) : resolve()) }));
  return { started, write };
}
const tick = () => new Promise((r) => setImmediate(r));

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
