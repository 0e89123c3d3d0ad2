// `bash scripts/with-services.sh node dist/scripts/probe-mongo.js`: measures, on MONGO_URL, the
// properties the design relies on (docs/operations.md, "The MongoDB stand-in"): is a concurrent
// findOneAndUpdate claim atomic, is a conditional updateOne, does Agenda run a job once, how fast
// are sorted reads and upserts, what a document's fields cost against the same data as one value,
// what Agenda's job-locking query costs with 1,000 jobs pending, how many updates by _id it serves,
// what the attendance writer's register and audit documents cost to insert, and what a lookup by _id
// or by an indexed field costs as a collection grows (`probe-mongo.js lookups` runs that one alone), and
// what reads and writes in batches cost against one at a time (`probe-mongo.js batches`), and what a
// compound unique index costs inserts as a collection grows (`probe-mongo.js unique`).
// It works in a throw-away database and drops it.
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import { MongoClient, ObjectId, type Db } from "mongodb";
import { encodeLine, type QueueEntryDoc } from "../src/models/officeHours";
import { lessonDoc } from "../src/domain/attendance/writer";

/** Reads and writes by _id of an office-hours line of 20 entries: as fields, and as one BSON value. */
async function lineCost(db: Db) {
  const entry = (i: number) => ({
    _id: new ObjectId(), course: new ObjectId(), student: new ObjectId(), question: "How do I start problem 2?", status: "WAITING",
    sortKey: i, joinedAt: new Date(), waitingSince: new Date(), staff: null, meetingLink: null, invitedAt: null, inviteExpiresAt: null,
    waitEndsAt: null, meetingStartedAt: null, endedAt: null, requeued: false, invites: 0, activeKey: `k${i}`, staffKey: `s${i}`,
    history: [{ status: "WAITING", at: new Date(), actor: new ObjectId(), note: null }],
  });
  const line = Array.from({ length: 20 }, (_, i) => entry(i));
  // As the server stores it (encodeLine), and as plain fields.
  const shapes = { fields: line, oneValue: encodeLine(line as unknown as QueueEntryDoc[]) };
  const docs = db.collection("lines");
  const out: Record<string, { readMs: number; writeMs: number; bytes: number }> = {};
  for (const [shape, value] of Object.entries(shapes)) {
    const _id = new ObjectId();
    await docs.insertOne({ _id, line: value, version: 0 });
    let t = performance.now();
    for (let k = 0; k < 30; k++) await docs.findOne({ _id });
    const readMs = (performance.now() - t) / 30;
    t = performance.now();
    for (let k = 0; k < 30; k++) await docs.updateOne({ _id, version: k }, { $set: { line: value }, $inc: { version: 1 } });
    out[shape] = { readMs: Math.round(readMs * 10) / 10, writeMs: Math.round(((performance.now() - t) / 30) * 10) / 10, bytes: shapes.oneValue.length };
  }
  return out;
}

/** Schedules 49 one-off jobs (plus one cancelled) on one Agenda instance; counts how often each ran. */
async function agendaRuns(db: Db) {
  const agenda = new Agenda({ backend: new MongoBackend({ mongo: db, collection: "probeJobs" }), processEvery: 200 });
  const runs = new Map<number, number>();
  agenda.define("probe", async (job) => {
    const id = (job.attrs.data as { id: number }).id;
    runs.set(id, (runs.get(id) ?? 0) + 1);
  });
  await agenda.start();
  const due = new Date(Date.now() + 1500);
  for (let id = 0; id < 50; id++) await agenda.schedule(due, "probe", { id });
  await agenda.cancel({ name: "probe", data: { id: 0 } });
  await new Promise((r) => setTimeout(r, 4000));
  await agenda.stop();
  const counts = [...runs.values()];
  return { scheduled: 49, ran: counts.length, ranMoreThanOnce: counts.filter((n) => n > 1).length, cancelledRan: runs.has(0) };
}

/**
 * Agenda's lock query (src of @agendajs/mongo-backend, getNextJobToRun) over 1,000 pending jobs of one
 * name, against the same documents found by _id; ms per operation, one at a time.
 */
async function agendaLockCost(db: Db) {
  const jobs = db.collection("lockJobs");
  const now = Date.now();
  const inserted = await jobs.insertMany(
    Array.from({ length: 1000 }, (_, i) => ({ name: "deadline", data: { entryId: new ObjectId().toHexString() }, priority: 0, nextRunAt: new Date(now - 1000 + i), lockedAt: null, type: "normal" })),
  );
  const ids = Object.values(inserted.insertedIds);
  const perOp = async (n: number, op: (k: number) => Promise<unknown>) => {
    const t = performance.now();
    for (let k = 0; k < n; k++) await op(k);
    return Math.round(((performance.now() - t) / n) * 10) / 10;
  };
  const lock = (name: string) =>
    jobs.findOneAndUpdate(
      { name, disabled: { $ne: true }, $or: [{ lockedAt: { $eq: null }, nextRunAt: { $lte: new Date() } }, { lockedAt: { $lte: new Date(0) } }] },
      { $set: { lockedAt: new Date() } },
      { returnDocument: "after", sort: { nextRunAt: 1, priority: -1 } },
    );
  return {
    lockDueJobMs: await perOp(20, () => lock("deadline")),
    lockWithNoneOfThatNameMs: await perOp(20, () => lock("other")),
    updateByIdMs: await perOp(50, (k) => jobs.updateOne({ _id: ids[k] }, { $set: { x: k } })),
    deleteByIdMs: await perOp(50, (k) => jobs.deleteOne({ _id: ids[100 + k] })),
  };
}

/** Updates by _id per second from 1, 8 and 15 concurrent clients (15: the tests' and benchmarks' pool). */
async function updateThroughput(db: Db) {
  const docs = db.collection("throughput");
  const inserted = await docs.insertMany(Array.from({ length: 500 }, (_, i) => ({ i, line: Buffer.alloc(2000), v: 0 })));
  const ids = Object.values(inserted.insertedIds);
  const out: Record<string, number> = {};
  for (const clients of [1, 8, 15]) {
    let n = 0;
    const until = Date.now() + 3000;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        while (Date.now() < until) await docs.updateOne({ _id: ids[(n++ * 7 + c) % ids.length] }, { $inc: { v: 1 } });
      }),
    );
    out[`clients${clients}PerSec`] = Math.round(n / 3);
  }
  return out;
}

/** The median time of `runs` sequential calls of `op` (given the call's number), in ms to 0.01. */
async function medianMs(runs: number, op: (k: number) => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await op(k);
    ms.push(performance.now() - t);
  }
  return Math.round(ms.sort((a, b) => a - b)[Math.floor(runs / 2)] * 100) / 100;
}

/**
 * Lookups by _id and by a uniquely indexed field (the filters a change or a login uses), in ms per
 * lookup (one client, median of 100), at 300 and 3,000 documents of ~3 KB: a lookup an index serves
 * costs the same at both sizes, a scan ten times more at the larger.
 */
async function lookupCost(db: Db) {
  const out: Record<string, number> = {};
  for (const size of [300, 3000]) {
    const docs = db.collection(`lookups${size}`);
    await docs.createIndex({ key: 1 }, { unique: true });
    const rows = Array.from({ length: size }, (_, i) => ({ _id: new ObjectId(), key: `k${i}`, v: 0, pad: Buffer.alloc(3000, i % 256) }));
    for (let i = 0; i < rows.length; i += 500) await docs.insertMany(rows.slice(i, i + 500));
    const row = (k: number) => rows[(k * 37) % rows.length];
    out[`findById${size}Ms`] = await medianMs(100, (k) => docs.findOne({ _id: row(k)._id }));
    out[`updateById${size}Ms`] = await medianMs(100, (k) => docs.updateOne({ _id: row(k)._id }, { $inc: { v: 1 } }));
    out[`findByKey${size}Ms`] = await medianMs(100, (k) => docs.findOne({ key: row(k).key }));
  }
  return out;
}

/**
 * What the attendance writer's documents cost: insertMany of 1,000 registers as the writer stores
 * them (lessonDoc: 21 fields, 2 embedded absences) and of 1,000 audit changes, in ms (median of 5
 * calls), and a register's replace (a correction).
 */
async function registerCost(db: Db) {
  const lessons = db.collection("lessons");
  await lessons.createIndex({ school: 1, date: 1, status: 1 });
  const changes = db.collection("lessonchanges");
  await changes.createIndex({ lesson: 1, version: 1 });
  const hex = () => new ObjectId().toHexString();
  const school = hex();
  const teacher = hex();
  const register = (id: string) =>
    lessonDoc({
      id, groupId: hex(), schoolId: school, region: "Region 1", date: "2026-11-24", period: 1, status: "COMPLETED",
      absences: ["UNEXCUSED", "LATE"].map((kind) => ({ studentId: hex(), kind: kind as "UNEXCUSED" | "LATE", reason: null, reportedAt: Date.now(), reportedBy: teacher })),
      roster: 30, absent: 1, excused: 0, late: 1, approvedActivity: 0,
      takenAt: Date.now(), takenBy: teacher, completedAt: Date.now(), completedBy: teacher, changedAt: Date.now(), changedBy: teacher, version: 2,
    });
  const change = (k: number) => ({ _id: `${Date.now()}-${k}`, lesson: `${hex()}:2026-11-24:1`, action: "COMPLETE", by: new ObjectId(), at: new Date(), changes: ["completed"], version: 2 });
  // Five calls of 1,000 documents each, built before the clock starts.
  const insertMs = (make: (k: number) => object, into: typeof lessons) => {
    const calls = Array.from({ length: 5 }, (_, round) => Array.from({ length: 1000 }, (_, i) => make(round * 1000 + i)));
    return medianMs(5, (round) => into.insertMany(calls[round] as never[], { ordered: false }));
  };
  const registersPer1000Ms = Math.round(await insertMs((k) => register(`g${k}:2026-11-24:1`), lessons));
  const changesPer1000Ms = Math.round(await insertMs(change, changes));
  const t = performance.now();
  for (let k = 0; k < 100; k++) await lessons.replaceOne({ _id: `g${k}:2026-11-24:1` as never, version: { $lt: 3 } }, { ...register(`g${k}:2026-11-24:1`), version: 3 });
  return { registersPer1000Ms, changesPer1000Ms, replaceMs: Math.round((performance.now() - t) / 10) / 10 };
}

/**
 * What the loaders and writers read and write in batches, in ms: 50 documents by `_id` as one `$in`
 * against one `findOne` each (16 at a time, in a collection of 20,000; median of 30); 60 concurrent
 * finds of 300 documents each in one batch against the driver's default first batch of 101 (median
 * of 5 rounds); 12 concurrent writers replacing 250 documents each in commands of 10 against one
 * command each.
 */
async function batchCost(db: Db) {
  const users = db.collection("batchusers");
  const ids = Array.from({ length: 20_000 }, () => new ObjectId());
  for (let i = 0; i < ids.length; i += 5000) await users.insertMany(ids.slice(i, i + 5000).map((_id, k) => ({ _id, email: `u${i + k}@campus.test`, name: `User ${i + k}` })));
  const pick = (k: number) => Array.from({ length: 50 }, (_, j) => ids[(k * 997 + j * 389) % ids.length]);
  const in50Ms = await medianMs(30, (k) => users.find({ _id: { $in: pick(k) } }).toArray());
  const oneByOne50Ms = await medianMs(30, async (k) => {
    const wanted = pick(k);
    for (let i = 0; i < wanted.length; i += 16) await Promise.all(wanted.slice(i, i + 16).map((_id) => users.findOne({ _id })));
  });

  const roll = db.collection("batchroll");
  const group = new ObjectId();
  await roll.createIndex({ group: 1 });
  await roll.insertMany(Array.from({ length: 300 }, (_, i) => ({ group, i, name: `Pupil ${i}`, pad: "x".repeat(100) })));
  const finds = (batchSize?: number) => () => Promise.all(Array.from({ length: 60 }, () => roll.find({ group }, batchSize ? { batchSize } : {}).toArray()));
  const oneBatch60x300Ms = await medianMs(5, finds(100_000));
  const defaultBatches60x300Ms = await medianMs(5, finds());

  const lessons = db.collection("batchlessons");
  const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: new ObjectId(), version: 1, i, absences: [{ p: 1 }, { p: 2 }], pad: "y".repeat(200) }));
  await lessons.insertMany(docs);
  const replaceAll = async (chunk: number, version: number) => {
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 12 }, async (_, w) => {
        const mine = docs.slice(w * 250, (w + 1) * 250).map((d) => ({ ...d, version }));
        for (let i = 0; i < mine.length; i += chunk) {
          await lessons.bulkWrite(
            mine.slice(i, i + chunk).map((d) => ({ replaceOne: { filter: { _id: d._id, version: { $lt: d.version } }, replacement: d } })),
            { ordered: false },
          );
        }
      }),
    );
    return Math.round(performance.now() - t);
  };
  const replace12x250By10Ms = await replaceAll(10, 2);
  const replace12x250InOneMs = await replaceAll(250, 3);
  return { in50Ms, oneByOne50Ms, oneBatch60x300Ms, defaultBatches60x300Ms, replace12x250By10Ms, replace12x250InOneMs };
}

/**
 * What a unique index costs an insert as its collection grows: three rounds of `insertMany` of 5,000
 * roll entries (as importRoster writes them) under a compound unique index {group, student, from},
 * the same index not unique, and one unique string key of the three, in ms per round. A round that
 * costs more as the collection grows is a constraint check that scans.
 */
async function uniqueCost(db: Db) {
  const out: Record<string, number[]> = {};
  for (const variant of ["compoundUnique", "compoundNotUnique", "singleKeyUnique"] as const) {
    const roll = db.collection(`unique_${variant}`);
    if (variant === "singleKeyUnique") await roll.createIndex({ key: 1 }, { unique: true });
    else await roll.createIndex({ group: 1, student: 1, from: 1 }, { unique: variant === "compoundUnique" });
    out[variant] = [];
    for (let round = 0; round < 3; round++) {
      const groups = Array.from({ length: 167 }, () => new ObjectId());
      const docs = Array.from({ length: 5000 }, (_, i) => {
        const [group, student] = [groups[i % groups.length], new ObjectId()];
        return { group, student, from: "2026-12-07", to: null, ...(variant === "singleKeyUnique" ? { key: `${group}:${student}:2026-12-07` } : {}) };
      });
      const t = performance.now();
      await roll.insertMany(docs, { ordered: false });
      out[variant].push(Math.round(performance.now() - t));
    }
  }
  return out;
}

async function main() {
  const url = new URL(process.env.MONGO_URL ?? "mongodb://127.0.0.1:27017/x");
  url.pathname = `/probe_${Date.now()}`;
  const client = await MongoClient.connect(url.toString(), { maxPoolSize: 20 });
  const db = client.db();
  try {
    // `probe-mongo.js lookups` / `batches`: that probe alone.
    if (process.argv[2] === "lookups") {
      console.log(JSON.stringify({ lookups: await lookupCost(db) }, null, 2));
      return;
    }
    if (process.argv[2] === "batches") {
      console.log(JSON.stringify({ batches: await batchCost(db) }, null, 2));
      return;
    }
    if (process.argv[2] === "unique") {
      console.log(JSON.stringify({ uniqueInsertsMs: await uniqueCost(db) }, null, 2));
      return;
    }
    const claims = db.collection("claims");
    await claims.insertMany(Array.from({ length: 200 }, (_, i) => ({ i, state: "W" })));
    const returned: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let k = 0; k < 25; k++) {
          const r = await claims.findOneAndUpdate({ state: "W" }, { $set: { state: "I" } }, { sort: { i: 1 }, returnDocument: "after" });
          if (r) returned.push(r.i);
        }
      }),
    );

    const races = db.collection("races");
    await races.insertMany(Array.from({ length: 50 }, (_, i) => ({ i, state: "W" })));
    let wins = 0;
    await Promise.all(
      Array.from({ length: 200 }, async (_, k) => {
        const r = await races.updateOne({ i: k % 50, state: "W" }, { $set: { state: "I" } });
        wins += r.modifiedCount;
      }),
    );

    const sorted = db.collection("sorted");
    await sorted.insertMany(Array.from({ length: 1500 }, (_, i) => ({ i, archived: false, title: `course ${i}` })));
    let t = performance.now();
    for (let k = 0; k < 10; k++) await sorted.find({ archived: false }).sort({ _id: 1 }).limit(51).toArray();
    const sortedMs = (performance.now() - t) / 10;

    const bulk = db.collection("bulk");
    t = performance.now();
    await bulk.insertMany(Array.from({ length: 5000 }, (_, i) => ({ i })), { ordered: false });
    const insertManyPerSec = 5000 / ((performance.now() - t) / 1000);
    t = performance.now();
    await bulk.bulkWrite(
      Array.from({ length: 200 }, (_, i) => ({ updateOne: { filter: { _id: `u${i}` as never }, update: { $set: { s: 1 } }, upsert: true } })),
      { ordered: false },
    );
    const upsertsPerSec = 200 / ((performance.now() - t) / 1000);

    const agenda = await agendaRuns(db);
    const officeHoursLine = await lineCost(db);
    const agendaLock = await agendaLockCost(db);
    const updatesById = await updateThroughput(db);
    const attendanceWriter = await registerCost(db);
    const lookups = await lookupCost(db);
    const batches = await batchCost(db);
    const uniqueInsertsMs = await uniqueCost(db);

    console.log(
      JSON.stringify(
        {
          agenda,
          findOneAndUpdate: { claims: returned.length, distinctDocuments: new Set(returned).size, atomic: returned.length === new Set(returned).size },
          conditionalUpdateOne: { wins, documents: 50, atomic: wins === 50 },
          sortedFindOf1500Ms: Math.round(sortedMs),
          insertManyDocsPerSec: Math.round(insertManyPerSec),
          bulkUpsertsPerSec: Math.round(upsertsPerSec),
          officeHoursLine,
          agendaLock,
          updatesById,
          attendanceWriter,
          lookups,
          batches,
          uniqueInsertsMs,
        },
        null,
        2,
      ),
    );
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

// Exit once printed: Agenda's backend can keep the process alive after stop().
main().then(() => process.exit(0)).catch((e) => {
  console.error(e);
  process.exit(1);
});
