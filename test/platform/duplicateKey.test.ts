// The duplicate-key detector (src/platform/duplicateKey.ts) against the errors the test run's
// database really gives (FerretDB 2's findAndModify answers code 1 with PostgreSQL's words, its
// inserts and updates 11000), through the driver and through mongoose, plus MongoDB's own form and
// wrapped ones.
import { randomBytes } from "node:crypto";
import { MongoClient, MongoServerError, type Collection, type Db } from "mongodb";
import mongoose from "mongoose";
import { duplicateKeyOf, duplicateWrites, isDuplicateKey } from "../../src/platform/duplicateKey";
import { insertIgnoringDuplicates } from "../../src/platform/streamWriter";

let client: MongoClient;
let db: Db;
let items: Collection<{ _id: number; key: string }>;
let connection: mongoose.Connection;
const failure = async (p: Promise<unknown>): Promise<unknown> => p.then(() => new Error("no error"), (e: unknown) => e);

beforeAll(async () => {
  const name = `dupkey_${randomBytes(4).toString("hex")}`;
  client = await MongoClient.connect(process.env.MONGO_URL!);
  db = client.db(name);
  items = db.collection("items");
  await items.createIndex({ key: 1 }, { unique: true });
  await items.insertMany([
    { _id: 1, key: "a" },
    { _id: 2, key: "b" },
  ]);
  connection = await mongoose.createConnection(process.env.MONGO_URL!, { dbName: name }).asPromise();
});
afterAll(async () => {
  await db?.dropDatabase();
  await client?.close();
  await connection?.close();
});

it("recognises every form the database gives: insert, update, findAndModify, bulk insert, and through mongoose", async () => {
  const Item = connection.model("Item", new mongoose.Schema({ _id: Number, key: String }), "items");
  const errors = {
    insertOne: await failure(items.insertOne({ _id: 3, key: "a" })),
    updateOne: await failure(items.updateOne({ _id: 2 }, { $set: { key: "a" } })),
    findOneAndUpdate: await failure(items.findOneAndUpdate({ _id: 2 }, { $set: { key: "a" } })),
    insertMany: await failure(items.insertMany([{ _id: 4, key: "a" }], { ordered: false })),
    mongooseCreate: await failure(Item.create({ _id: 5, key: "b" })),
    mongooseFindByIdAndUpdate: await failure(Item.findByIdAndUpdate(2, { $set: { key: "a" } }, { returnDocument: "after" }).lean()),
    mongooseUpdateOne: await failure(Item.updateOne({ _id: 2 }, { $set: { key: "a" } })),
  };
  for (const [form, e] of Object.entries(errors)) expect({ form, duplicate: isDuplicateKey(e) }).toEqual({ form, duplicate: true });
  // Nothing was written by any of them.
  expect(await items.find().sort({ _id: 1 }).toArray()).toEqual([
    { _id: 1, key: "a" },
    { _id: 2, key: "b" },
  ]);
});

it("names MongoDB's index and fields, and sees through wrappers", () => {
  const mongoError = new MongoServerError({
    code: 11000,
    errmsg: 'E11000 duplicate key error collection: campus.courses index: code_1 dup key: { code: "CS101" }',
    keyPattern: { code: 1 },
    keyValue: { code: "CS101" },
  });
  expect(duplicateKeyOf(mongoError)).toEqual({ index: "code_1", fields: ["code"] });
  expect(isDuplicateKey(new Error("while saving", { cause: mongoError }))).toBe(true);
  expect(isDuplicateKey({ errorResponse: { code: 11000, errmsg: "E11000 duplicate key error" } })).toBe(true);
  expect(isDuplicateKey({ codeName: "DuplicateKey" })).toBe(true);
  const ferret = new MongoServerError({ code: 11000, errmsg: "Duplicate key violation on the requested collection: Index 'code_1'" });
  expect(duplicateKeyOf(ferret)).toEqual({ index: "code_1" });
  const ferretFindAndModify = new MongoServerError({ code: 1, errmsg: 'conflicting key value violates exclusion constraint "documents_rum_index_58"' });
  expect(duplicateKeyOf(ferretFindAndModify)).toEqual({});
});

it("anything else is not a duplicate: other server errors, a bulk write with another failure among its errors, non-errors", async () => {
  expect(isDuplicateKey(await failure(db.command({ noSuchCommand: 1 })))).toBe(false);
  expect(isDuplicateKey(new MongoServerError({ code: 1, errmsg: "some internal error" }))).toBe(false);
  expect(isDuplicateKey({ code: 11000, writeErrors: [{ code: 11000, errmsg: "E11000 duplicate key error" }, { code: 121, errmsg: "Document failed validation" }] })).toBe(false);
  expect(isDuplicateKey({ writeErrors: [{ code: 11000 }, { code: 11000 }] })).toBe(true);
  for (const value of [null, undefined, "E11000", 11000, new Error("timeout")]) expect(isDuplicateKey(value)).toBe(false);
});

it("insertIgnoringDuplicates reports the duplicates of a real bulk insert and writes the rest", async () => {
  const duplicates = await insertIgnoringDuplicates(items, [
    { _id: 10, key: "fresh" },
    { _id: 11, key: "a" },
    { _id: 1, key: "other" },
  ]);
  expect([...duplicates].sort()).toEqual([1, 2]);
  expect(await items.findOne({ _id: 10 })).toEqual({ _id: 10, key: "fresh" });
});

it("duplicateWrites names the positions of a bulk write's duplicates, only when every failed write is one", () => {
  expect(duplicateWrites({ writeErrors: [{ code: 11000, index: 2 }, { code: 11000, index: 5 }] })).toEqual([2, 5]);
  expect(duplicateWrites({ writeErrors: { code: 11000, index: 3 } })).toEqual([3]);
  expect(duplicateWrites({ writeErrors: [{ code: 11000, index: 0 }, { code: 121, index: 1 }] })).toBeNull();
  // A failure to reach the server arrives as a bulk write error with no write errors.
  expect(duplicateWrites({ writeErrors: [], message: "connection refused" })).toBeNull();
  for (const value of [null, undefined, new Error("timeout"), { code: 11000 }]) expect(duplicateWrites(value)).toBeNull();
});
