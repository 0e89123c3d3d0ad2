// Every `find` answers in one batch (src/models/plugins.ts): no getMore round trips, no cursor left
// open between commands. 60 concurrent reads of 300 documents each (more than the driver's default
// first batch of 101), against the MongoDB-compatible server of the test run.
import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { RollEntryModel } from "../../src/models/attendance";
import { withTimeout } from "../../src/platform/async";

const READS = 60;
const ROLL = 300;

let connection: mongoose.Connection;

beforeAll(async () => {
  const url = new URL(process.env.MONGO_URL!);
  url.pathname = `/t_${randomBytes(5).toString("hex")}`;
  connection = await mongoose.createConnection(url.toString(), { monitorCommands: true }).asPromise();
});

afterAll(async () => {
  await connection?.dropDatabase();
  await connection?.close();
});

it(`answers ${READS} concurrent finds of ${ROLL} documents each in one batch apiece, without a getMore`, async () => {
  const Roll = connection.model(RollEntryModel.modelName, RollEntryModel.schema);
  const group = new mongoose.Types.ObjectId();
  await Roll.collection.insertMany(
    Array.from({ length: ROLL }, () => ({ group, student: new mongoose.Types.ObjectId(), from: "2026-01-01", to: null })),
  );
  const commands: string[] = [];
  connection.getClient().on("commandStarted", (e) => commands.push(e.commandName));

  const results = await withTimeout(Promise.all(Array.from({ length: READS }, () => Roll.find({ group }).lean())), 30_000, "finds hung: cursors held the server's pool");

  expect(results.map((r) => r.length)).toEqual(Array(READS).fill(ROLL));
  expect(commands.filter((c) => c === "find")).toHaveLength(READS);
  expect(commands.filter((c) => c === "getMore")).toHaveLength(0);
});
