// Lookups by _id and by an indexed field are index probes on the database the tests run against:
// on MongoDB the winning plan uses the index (IXSCAN / IDHACK / EXPRESS); on FerretDB 2 the plan it
// returns (PostgreSQL's, over DocumentDB's indexes) uses one. The loaders rely on it: a batch of ids
// is one `$in` (src/platform/mongo.ts findByIds), a batch of course members one `$or` of two `$in`s
// (src/domain/courseMembers.ts).
import { MongoClient, type Collection } from "mongodb";
import { deploymentEnv } from "../support/server";

let mongo: MongoClient;
let things: Collection<{ email: string; name: string; n: number; tags: string[] }>;
beforeAll(async () => {
  mongo = await MongoClient.connect(deploymentEnv().MONGO_URL);
  things = mongo.db().collection("lookupcheck");
  await things.createIndex({ email: 1 }, { unique: true });
  await things.createIndex({ tags: 1 });
  // Large enough that a table scan costs the planner more than the index (tiny tables are scanned).
  await things.insertMany(Array.from({ length: 3000 }, (_, n) => ({ email: `user${n}@campus.test`, name: `User ${n}`, n, tags: [`t${n}`, `u${n % 7}`] })));
});
afterAll(async () => {
  await mongo.db().dropDatabase();
  await mongo.close();
});

/**
 * How the database would run a find: "index" or "scan", from MongoDB's explain (IXSCAN / IDHACK /
 * EXPRESS against COLLSCAN) or FerretDB's (PostgreSQL's plan: any index scan whose condition is only
 * DocumentDB's `shard_key_value`, the whole collection, makes it a scan).
 */
async function access(filter: Record<string, unknown>): Promise<"index" | "scan"> {
  const explained = await things.find(filter).explain();
  const plan = JSON.stringify(explained);
  if (/COLLSCAN/.test(plan)) return "scan";
  if (/IXSCAN|IDHACK|EXPRESS/.test(plan)) return "index";
  const conditions = [...plan.matchAll(/"Index Cond":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
  if (/Seq Scan/.test(plan) || conditions.some((c) => /^\(?shard_key_value = '\d+'::bigint\)?$/.test(c))) return "scan";
  if (conditions.length) return "index";
  throw new Error(`unrecognised plan: ${plan.slice(0, 500)}`);
}

describe("equality lookups", () => {
  it("by _id and by a uniquely indexed field use an index", async () => {
    const doc = (await things.findOne({ n: 1234 }))!;
    expect(await access({ _id: doc._id })).toBe("index");
    expect(await access({ email: "user2345@campus.test" })).toBe("index");
  });

  it("a batch: `$in` by _id, and `$or` of `$in`s on two indexed fields (one of them an array), use indexes", async () => {
    const docs = await things.find({ n: { $in: [5, 50, 500, 2500] } }).toArray();
    expect(await access({ _id: { $in: docs.map((d) => d._id) } })).toBe("index");
    expect(await access({ $or: [{ email: { $in: ["user5@campus.test", "user6@campus.test"] } }, { tags: { $in: ["t7", "t8"] } }] })).toBe("index");
  });

  it("by a field without an index is a scan (the check tells them apart)", async () => {
    expect(await access({ name: "User 17" })).toBe("scan");
  });
});
