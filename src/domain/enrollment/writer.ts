// The durable writer: reads the enrollment log (a Redis Stream) through a consumer group and
// applies it to MongoDB in batches, acknowledging entries only after they are written. Entries of a
// consumer that died are claimed by another after CLAIM_IDLE_MS. Every write is idempotent and
// ordered by version, so a replayed or reordered entry never rolls a document back.
import { hostname } from "node:os";
import { Types, mongo } from "mongoose";
import type { Redis } from "ioredis";
import { EnrollmentModel, EnrollmentProfileModel, type EnrollmentStatus } from "../../models/enrollment";
import type { Logger } from "../../platform/logger";

const GROUP = "mongo-writer";
/** A batch is written when it holds BATCH entries or is FLUSH_MS old, whichever comes first. */
const BATCH = 1000;
const FLUSH_MS = 500;
const MAINTENANCE_EVERY_MS = 1_000;

type Entry = Record<string, string> & { _streamId: string };

const STATUS: Record<string, EnrollmentStatus> = { E: "ENROLLED", W: "WAITLISTED", D: "DROPPED" };
/** Log entries that change a student's profile (remaining changes or the profile itself). */
const PROFILE_KINDS = new Set(["PROFILE", "DROPPED", "SWITCHED_FROM"]);

export class EnrollmentLogWriter {
  private running = false;
  private loop?: Promise<void>;
  private lastMaintenance = 0;
  private readonly consumer = `${hostname()}-${process.pid}`;
  /** Entries in the stream not yet written to MongoDB (pending + undelivered), for /metrics. */
  backlog = 0;

  constructor(
    /** A dedicated connection: XREADGROUP BLOCK holds it. */
    private readonly redis: Redis,
    private readonly logKey: string,
    private readonly logger: Logger,
    /** How long an entry may stay unacknowledged before another writer takes it over. */
    private readonly claimIdleMs: number,
  ) {}

  async start(): Promise<void> {
    try {
      await this.redis.xgroup("CREATE", this.logKey, GROUP, "0", "MKSTREAM");
    } catch (e) {
      if (!String(e).includes("BUSYGROUP")) throw e;
    }
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in hand is written; what is left is claimed by the next writer. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const entries = await this.read();
        if (entries.length) await this.apply(entries);
        if (Date.now() - this.lastMaintenance > MAINTENANCE_EVERY_MS) await this.maintain();
      } catch (err) {
        this.logger.error({ err }, "enrollment log writer failed; retrying");
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Collects up to BATCH new entries, waiting at most FLUSH_MS after the first one arrives. */
  private async read(): Promise<Entry[]> {
    const batch: Entry[] = [];
    let deadline = Infinity;
    while (this.running && batch.length < BATCH) {
      const wait = Math.max(1, Math.min(FLUSH_MS, deadline - Date.now()));
      if (deadline !== Infinity && deadline - Date.now() <= 0) break;
      const reply = (await this.redis.xreadgroup(
        "GROUP", GROUP, this.consumer, "COUNT", BATCH - batch.length, "BLOCK", Math.round(wait), "STREAMS", this.logKey, ">",
      )) as [string, [string, string[]][]][] | null;
      if (reply) {
        batch.push(...reply[0][1].map(toEntry));
        if (deadline === Infinity) deadline = Date.now() + FLUSH_MS;
      } else if (batch.length || deadline === Infinity) {
        break; // nothing new: write what we have, or go do maintenance
      }
    }
    return batch;
  }

  /** Writes a batch: the newest version of each enrollment and profile, then acknowledges it. */
  async apply(entries: Entry[]): Promise<void> {
    const enrollments = new Map<string, Entry>();
    const profiles = new Map<string, Entry>();
    for (const e of entries) {
      if (e.k !== "PROFILE") {
        const seen = enrollments.get(e.id);
        if (!seen || Number(seen.v) < Number(e.v)) enrollments.set(e.id, e);
      }
      if (PROFILE_KINDS.has(e.k)) {
        const seen = profiles.get(e.s);
        if (!seen || Number(seen.pv) < Number(e.pv)) profiles.set(e.s, e);
      }
    }
    const fresh = [...enrollments.values()].filter((e) => e.v === "1");
    const changed = [...enrollments.values()].filter((e) => e.v !== "1");
    if (fresh.length) await insertIgnoringDuplicates(fresh.map(enrollmentDoc));
    await inBatches(changed, 20, (e) => updateOrInsert(EnrollmentModel, new Types.ObjectId(e.id), Number(e.v), enrollmentDoc(e)));
    await inBatches([...profiles.values()], 20, (e) =>
      updateOrInsert(EnrollmentProfileModel, new Types.ObjectId(e.s), Number(e.pv), profileDoc(e)),
    );
    await this.redis.xack(this.logKey, GROUP, ...entries.map((e) => e._streamId));
  }

  /** Claims entries a dead consumer left unacknowledged, and trims what every writer has written. */
  private async maintain(): Promise<void> {
    this.lastMaintenance = Date.now();
    const [, claimed] = (await this.redis.xautoclaim(this.logKey, GROUP, this.consumer, this.claimIdleMs, "0-0", "COUNT", BATCH)) as [
      string,
      [string, string[]][],
    ];
    const live = claimed.filter((c) => c && c[1]);
    if (live.length) {
      this.logger.warn({ entries: live.length }, "claimed enrollment log entries of a stopped writer");
      await this.apply(live.map(toEntry));
    }
    const groups = (await this.redis.xinfo("GROUPS", this.logKey)) as unknown[][];
    const info = groups.map(pairsToObject).find((g) => g.name === GROUP);
    if (!info) return;
    const pending = (await this.redis.xpending(this.logKey, GROUP)) as [number, string | null, string | null, unknown];
    const lag = Number(info.lag ?? 0);
    this.backlog = Number(pending[0]) + (Number.isFinite(lag) ? lag : 0);
    // Everything before the oldest unacknowledged (or undelivered) entry is in MongoDB.
    const keepFrom = pending[1] ?? nextId(String(info["last-delivered-id"]));
    await this.redis.xtrim(this.logKey, "MINID", "~", keepFrom);
  }
}

function toEntry([id, fields]: [string, string[]]): Entry {
  const e: Record<string, string> = { _streamId: id };
  for (let i = 0; i < fields.length; i += 2) e[fields[i]] = fields[i + 1];
  return e as Entry;
}

function enrollmentDoc(e: Entry) {
  const at = new Date(Number(e.at));
  return {
    _id: new Types.ObjectId(e.id),
    course: new Types.ObjectId(e.c),
    student: new Types.ObjectId(e.s),
    status: STATUS[e.st],
    version: Number(e.v),
    seq: Number(e.q),
    pricePaid: Number(e.p || 0),
    lastChangeBy: e.by ? new Types.ObjectId(e.by) : null,
    lastChange: e.k,
    createdAt: at,
    updatedAt: at,
  };
}

function profileDoc(e: Entry) {
  return {
    _id: new Types.ObjectId(e.s),
    maxUnits: Number(e.max),
    enrollmentStartsAt: e.tkt ? new Date(Number(e.tkt)) : null,
    remainingChanges: Number(e.chg),
    version: Number(e.pv),
  };
}

async function insertIgnoringDuplicates(docs: object[]): Promise<void> {
  try {
    await EnrollmentModel.collection.insertMany(docs as never[], { ordered: false });
  } catch (e) {
    if (!(e instanceof mongo.MongoBulkWriteError) || e.writeErrors === undefined) throw e;
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    if (errors.some((w) => w.code !== 11000)) throw e; // duplicates are replays: already written
  }
}

/** Applies a newer version; if the document is missing, inserts it; an older version changes nothing. */
async function updateOrInsert(
  model: typeof EnrollmentModel | typeof EnrollmentProfileModel,
  _id: Types.ObjectId,
  version: number,
  doc: Record<string, unknown>,
): Promise<void> {
  const { _id: _ignored, createdAt, ...changes } = doc as Record<string, unknown> & { _id: unknown; createdAt?: unknown };
  const res = await model.collection.updateOne({ _id, version: { $lt: version } }, { $set: changes });
  if (res.matchedCount > 0) return;
  try {
    await model.collection.insertOne({ ...doc, ...(createdAt ? { createdAt } : {}) } as never);
  } catch (e) {
    if (!(e instanceof mongo.MongoServerError && e.code === 11000)) throw e; // a newer version is there
  }
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

function pairsToObject(pairs: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < pairs.length; i += 2) o[String(pairs[i])] = pairs[i + 1];
  return o;
}

function nextId(id: string): string {
  const [ms, seq] = id.split("-");
  return `${ms}-${Number(seq) + 1}`;
}
