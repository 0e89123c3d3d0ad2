// Start-up builds every index before it serves (src/platform/collections.ts), also when several
// instances start together on a new database: the deployment's instances race there on every first
// start, and a unique index missing or a start-up failing would follow from a lost race.
import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import mongoose from "mongoose";
import "../../src/models/attendance";
import "../../src/models/course";
import "../../src/models/enrollment";
import "../../src/models/officeHours";
import "../../src/models/quiz";
import "../../src/models/user";
import { AGENDA_INDEX } from "../../src/platform/agenda";
import { buildIndexes, isTransient } from "../../src/platform/collections";
import { deploymentEnv, startServer } from "../support/server";

/** Every index the models and Agenda declare, by collection (`_id`'s included), as sorted key patterns. */
function declaredIndexes(): Map<string, string[]> {
  const declared: Array<[string, object[]]> = mongoose.modelNames().map((name) => {
    const model = mongoose.model(name);
    return [model.collection.collectionName, model.schema.indexes().map(([keys]) => keys)];
  });
  declared.push([AGENDA_INDEX.collection, [AGENDA_INDEX.keys as object]]);
  // A collection comes into being with its first index: one without any is created by its first write.
  return new Map(declared.filter(([, keys]) => keys.length).map(([name, keys]) => [name, [{ _id: 1 }, ...keys].map((k) => JSON.stringify(k)).sort()]));
}

/** The indexes a database holds, in the same shape. */
async function builtIndexes(client: MongoClient, dbName: string): Promise<Map<string, string[]>> {
  const db = client.db(dbName);
  const out = new Map<string, string[]>();
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    out.set(name, (await db.collection(name).indexes()).map((i) => JSON.stringify(i.key)).sort());
  }
  return out;
}

let client: MongoClient;
const databases: string[] = [];
beforeAll(async () => {
  client = await MongoClient.connect(process.env.MONGO_URL!);
});
afterAll(async () => {
  for (const name of databases) await client.db(name).dropDatabase();
  await client.close();
});

describe("indexes at start-up", () => {
  it("three instances building together on new databases each finish, and every declared index exists", async () => {
    const expected = declaredIndexes();
    expect(expected.size).toBe(17); // 16 models with indexes and Agenda's jobs
    for (let round = 0; round < 8; round++) {
      const dbName = `indexes_${randomBytes(4).toString("hex")}`;
      databases.push(dbName);
      const connections = await Promise.all(
        [0, 1, 2].map(() => mongoose.createConnection(process.env.MONGO_URL!, { dbName, autoIndex: false, autoCreate: false }).asPromise()),
      );
      try {
        for (const connection of connections) for (const name of mongoose.modelNames()) connection.model(name, mongoose.model(name).schema);
        const outcomes = await Promise.allSettled(connections.map((connection) => buildIndexes(connection, [AGENDA_INDEX])));
        expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
        expect(await builtIndexes(client, dbName)).toEqual(expected);
      } finally {
        await Promise.all(connections.map((c) => c.close()));
      }
    }
  });

  it("retries a lost race only: a deadlock or write conflict, not a duplicate or a bad index", () => {
    expect(isTransient(Object.assign(new Error("deadlock detected"), { code: 1 }))).toBe(true);
    expect(isTransient(Object.assign(new Error("WriteConflict"), { code: 112 }))).toBe(true);
    expect(isTransient(Object.assign(new Error("E11000 duplicate key error"), { code: 11000 }))).toBe(false);
    expect(isTransient(Object.assign(new Error('could not create exclusion constraint "documents_rum_index_5"'), { code: 1 }))).toBe(false);
    expect(isTransient(Object.assign(new Error("Index with name: x already exists with different options"), { code: 85 }))).toBe(false);
  });

  it("servers started together on a new database all serve, with the declared indexes in place", async () => {
    const env = deploymentEnv();
    const servers = await Promise.all([0, 1, 2].map(() => startServer(env)));
    try {
      const dbName = new URL(env.MONGO_URL).pathname.slice(1);
      databases.push(dbName);
      for (const server of servers) expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(200);
      const built = await builtIndexes(client, dbName);
      for (const [collection, keys] of declaredIndexes()) expect([collection, built.get(collection)]).toEqual([collection, keys]);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});
