// A durable batch writer over a Redis Stream: reads entries through a consumer group, hands them to
// `write` in batches (every FLUSH_MS or BATCH entries) and acknowledges them only after `write`
// returns. Entries a dead consumer left unacknowledged are claimed after `claimIdleMs`, and what
// every consumer has written is trimmed. `write` must be idempotent: a claimed entry may be replayed.
// Used by the enrollment log and the attendance log.
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { mongo, type Collection } from "mongoose";
import type { Logger } from "./logger";

const GROUP = "mongo-writer";
/** A batch is written when it holds BATCH entries or is FLUSH_MS old, whichever comes first. */
const BATCH = 1000;
const FLUSH_MS = 500;
const MAINTENANCE_EVERY_MS = 1_000;

export type StreamEntry = Record<string, string> & { _streamId: string };

export abstract class StreamBatchWriter {
  private running = false;
  private loop?: Promise<void>;
  private lastMaintenance = 0;
  private readonly consumer = `${hostname()}-${process.pid}`;
  /** Entries in the stream not yet written to MongoDB (pending + undelivered), for /metrics. */
  backlog = 0;

  constructor(
    /** A dedicated connection: XREADGROUP BLOCK holds it. */
    protected readonly redis: Redis,
    private readonly logKey: string,
    protected readonly logger: Logger,
    /** How long an entry may stay unacknowledged before another writer takes it over. */
    private readonly claimIdleMs: number,
    private readonly name: string,
  ) {}

  /**
   * Applies a batch to MongoDB; entries are acknowledged once it resolves, except those it returns:
   * they stay pending and come back with the next batch (a writer may wait for a record to settle).
   */
  protected abstract write(entries: StreamEntry[]): Promise<StreamEntry[] | void>;

  /** Entries `write` asked to see again, still pending (unacknowledged) in the stream. */
  private deferred: StreamEntry[] = [];

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

  async apply(entries: StreamEntry[]): Promise<void> {
    const keep = (await this.write(entries)) ?? [];
    const kept = new Set(keep.map((e) => e._streamId));
    const done = entries.filter((e) => !kept.has(e._streamId));
    if (done.length) await this.redis.xack(this.logKey, GROUP, ...done.map((e) => e._streamId));
    this.deferred.push(...keep);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const fresh = await this.read();
        const entries = [...this.deferred.splice(0), ...fresh];
        if (entries.length) await this.apply(entries);
        if (Date.now() - this.lastMaintenance > MAINTENANCE_EVERY_MS) await this.maintain();
      } catch (err) {
        this.logger.error({ err, log: this.name }, "log writer failed; retrying");
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Collects up to BATCH new entries, waiting at most FLUSH_MS after the first one arrives. */
  private async read(): Promise<StreamEntry[]> {
    const batch: StreamEntry[] = [];
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

  /** Claims entries a dead consumer left unacknowledged, and trims what every writer has written. */
  private async maintain(): Promise<void> {
    this.lastMaintenance = Date.now();
    const [, claimed] = (await this.redis.xautoclaim(this.logKey, GROUP, this.consumer, this.claimIdleMs, "0-0", "COUNT", BATCH)) as [
      string,
      [string, string[]][],
    ];
    const live = claimed.filter((c) => c && c[1]);
    if (live.length) {
      this.logger.warn({ entries: live.length, log: this.name }, "claimed log entries of a stopped writer");
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

function toEntry([id, fields]: [string, string[]]): StreamEntry {
  const e: Record<string, string> = { _streamId: id };
  for (let i = 0; i < fields.length; i += 2) e[fields[i]] = fields[i + 1];
  return e as StreamEntry;
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

/**
 * `insertMany` that treats duplicate keys as already written (a replayed log entry): returns the
 * indexes of the documents that were duplicates; any other write error is thrown.
 */
export async function insertIgnoringDuplicates(collection: Collection, docs: object[]): Promise<Set<number>> {
  const duplicates = new Set<number>();
  if (!docs.length) return duplicates;
  try {
    await collection.insertMany(docs as never[], { ordered: false });
  } catch (e) {
    if (!(e instanceof mongo.MongoBulkWriteError) || e.writeErrors === undefined) throw e;
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    if (errors.some((w) => w.code !== 11000)) throw e;
    for (const w of errors) duplicates.add(w.index);
  }
  return duplicates;
}
