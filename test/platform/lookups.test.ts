// Lookups by _id and by an indexed field are index probes on the database the tests run against:
// on MongoDB the winning plan uses the index (IXSCAN / IDHACK / EXPRESS); on FerretDB's PostgreSQL
// handler the plan FerretDB returns (PostgreSQL's) uses one of the table's indexes, which needs the
// GIN twins that scripts/services.sh installs (FerretDB's `@>` filters cannot use its own btree
// indexes: without the twins every lookup by _id read the whole table).
import { MongoClient, type Collection } from "mongodb";
import { deploymentEnv } from "../support/server";

let mongo: MongoClient;
let things: Collection<{ email: string; name: string; n: number }>;
beforeAll(async () => {
  mongo = await MongoClient.connect(deploymentEnv().MONGO_URL);
  things = mongo.db().collection("lookupcheck");
  await things.createIndex({ email: 1 }, { unique: true });
  // Large enough that a table scan costs the planner more than the index (tiny tables are scanned).
  await things.insertMany(Array.from({ length: 3000 }, (_, n) => ({ email: `user${n}@campus.test`, name: `User ${n}`, n })));
});
afterAll(async () => {
  await mongo.db().dropDatabase();
  await mongo.close();
});

/** How the database would run a find: "index" or "scan", from MongoDB's or FerretDB's (PostgreSQL's) explain. */
async function access(filter: Record<string, unknown>): Promise<"index" | "scan"> {
  const plan = JSON.stringify(await things.find(filter).explain());
  if (/COLLSCAN|Seq Scan/.test(plan)) return "scan";
  if (/IXSCAN|IDHACK|EXPRESS|Index Scan|Index Only Scan/.test(plan)) return "index";
  throw new Error(`unrecognised plan: ${plan.slice(0, 500)}`);
}

describe("equality lookups", () => {
  it("by _id and by a uniquely indexed field use an index", async () => {
    const doc = (await things.findOne({ n: 1234 }))!;
    expect(await access({ _id: doc._id })).toBe("index");
    expect(await access({ email: "user2345@campus.test" })).toBe("index");
  });

  it("by a field without an index is a scan (the check tells them apart)", async () => {
    expect(await access({ name: "User 17" })).toBe("scan");
  });
});
