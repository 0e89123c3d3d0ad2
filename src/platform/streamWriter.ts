// A durable log's writer: reads a Redis Stream through a consumer group and hands batches to
// `apply` (which writes them to MongoDB), acknowledging entries only after `apply` succeeded. Entries
// a consumer that died left unacknowledged are claimed by another after `claimIdleMs`. Every
// instance runs one writer per log; the consumer group shares the work between them. `apply` must
// be idempotent: an entry can be applied twice (a writer killed between its write and its ack).
// Used by the enrollment, quiz and attendance logs.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { mongo } from "mongoose";
import { duplicateWrites } from "./duplicateKey";
import type { Logger } from "./logger";
import { outageOf } from "./outages";

export type StreamEntry = Record<string, string> & { _streamId: string };

export interface StreamWriterOptions {
  /** The stream key. */
  key: string;
  /** Names the log in logs and messages. */
  name: string;
  /** A batch is written when it holds `batch` entries or is `flushMs` old, whichever comes first. */
  batch: number;
  flushMs: number;
  /** How long an entry may stay unacknowledged before another writer takes it over. */
  claimIdleMs: number;
  /**
   * Writes a batch to MongoDB; entries are acknowledged once it resolves, except those it returns:
   * they stay pending and come back with the next batch (a writer may wait for a record to settle).
   * `writer` names this writer (its consumer in the group), for claims `apply` makes in its name.
   */
  apply: (entries: StreamEntry[], writer: string) => Promise<StreamEntry[] | void>;
}

/** How a log's writer batches and when it takes over another's entries: one policy for every log. */
export type WriterPolicy = Pick<StreamWriterOptions, "batch" | "flushMs" | "claimIdleMs">;

const GROUP = "mongo-writer";
const MAINTENANCE_EVERY_MS = 1_000;
/** At most this many batches are written at shutdown. */
const STOP_PASSES = 100;

export class StreamWriter {
  private running = false;
  private loop?: Promise<void>;
  private lastMaintenance = 0;
  /** This writer's consumer name: unique per writer, also between writers of one process. */
  private readonly consumer = `${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  /** Entries in the stream not yet written to MongoDB (pending + undelivered), for /metrics. */
  backlog = 0;
  /** Entries `apply` asked to see again, still pending (unacknowledged) in the stream. */
  private deferred: StreamEntry[] = [];
  /** The batch whose write failed (a service unreachable), written again first. */
  private failed: StreamEntry[] = [];

  constructor(
    /** A dedicated connection: XREADGROUP BLOCK holds it. */
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly opts: StreamWriterOptions,
  ) {}

  async start(): Promise<void> {
    try {
      await this.redis.xgroup("CREATE", this.opts.key, GROUP, "0", "MKSTREAM");
    } catch (e) {
      if (!String(e).includes("BUSYGROUP")) throw e;
    }
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Shutdown (the server no longer takes requests): stops reading, then writes everything the log
   * still holds for the group, so an acknowledged entry is in MongoDB without another writer's help.
   * Entries `apply` keeps holding back, and a batch that cannot be written (an outage), stay pending
   * for the next writer to claim.
   */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    try {
      // Bounded: other instances may still be adding entries, and they write them themselves.
      for (let pass = 0; pass < STOP_PASSES; pass++) {
        const retried = this.failed.splice(0);
        const held = this.deferred.splice(0);
        const fresh = await this.readNow();
        const entries = [...retried, ...held, ...fresh];
        if (!entries.length) return;
        await this.write(entries);
        // Only entries held back again: nothing more this writer can do.
        if (!fresh.length && !retried.length && this.deferred.length === held.length) return;
      }
    } catch (err) {
      this.logger.warn({ err, log: this.opts.name }, "log writer stopped with entries pending (claimed by the next writer)");
    }
  }

  /** Up to `batch` entries not yet delivered to any writer, without waiting for more. */
  private async readNow(): Promise<StreamEntry[]> {
    const reply = (await this.redis.xreadgroup("GROUP", GROUP, this.consumer, "COUNT", this.opts.batch, "STREAMS", this.opts.key, ">")) as
      | [string, [string, string[]][]][]
      | null;
    return reply ? reply[0][1].map(toEntry) : [];
  }

  private async run(): Promise<void> {
    while (this.running) {
      let entries: StreamEntry[] = [];
      try {
        // A batch that failed for an outage is written again before anything new is read (not left
        // for a claim after claimIdleMs), so an outage delays the durable copy by no more than it lasts.
        entries = this.failed.length ? this.failed.splice(0) : [...this.deferred.splice(0), ...(await this.read())];
        if (entries.length) await this.write(entries);
        entries = [];
        if (Date.now() - this.lastMaintenance > MAINTENANCE_EVERY_MS) await this.maintain();
      } catch (err) {
        const outage = outageOf(err);
        // Only an outage is retried first; a batch that fails otherwise stays pending and is claimed
        // later, so it cannot hold up the entries behind it.
        this.failed = outage ? entries : [];
        if (outage) this.logger.warn({ log: this.opts.name, reason: outage, pending: entries.length }, "log writer waiting; retrying");
        else this.logger.error({ err, log: this.opts.name }, "log writer failed; retrying");
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Collects up to `batch` new entries, waiting at most `flushMs` after the first one arrives. */
  private async read(): Promise<StreamEntry[]> {
    const { batch: size, flushMs, key } = this.opts;
    const batch: StreamEntry[] = [];
    let deadline = Infinity;
    while (this.running && batch.length < size) {
      const wait = Math.max(1, Math.min(flushMs, deadline - Date.now()));
      if (deadline !== Infinity && deadline - Date.now() <= 0) break;
      const reply = (await this.redis.xreadgroup(
        "GROUP", GROUP, this.consumer, "COUNT", size - batch.length, "BLOCK", Math.round(wait), "STREAMS", key, ">",
      )) as [string, [string, string[]][]][] | null;
      if (reply) {
        batch.push(...reply[0][1].map(toEntry));
        if (deadline === Infinity) deadline = Date.now() + flushMs;
      } else if (batch.length || deadline === Infinity) {
        break; // nothing new: write what we have, or go do maintenance
      }
    }
    return batch;
  }

  private async write(entries: StreamEntry[]): Promise<void> {
    const keep = (await this.opts.apply(entries, this.consumer)) ?? [];
    const kept = new Set(keep.map((e) => e._streamId));
    const done = entries.filter((e) => !kept.has(e._streamId));
    if (done.length) await this.redis.xack(this.opts.key, GROUP, ...done.map((e) => e._streamId));
    if (!keep.length) return;
    // Entries held back are not idle: their idle time restarts, so no writer claims them from this
    // live one after claimIdleMs (XAUTOCLAIM in maintain) and writes them twice.
    await this.redis.xclaim(this.opts.key, GROUP, this.consumer, 0, ...kept, "JUSTID");
    const held = new Set(this.deferred.map((e) => e._streamId));
    this.deferred.push(...keep.filter((e) => !held.has(e._streamId)));
  }

  /** Claims entries a dead consumer left unacknowledged, and trims what every writer has written. */
  private async maintain(): Promise<void> {
    const { key, claimIdleMs, batch } = this.opts;
    this.lastMaintenance = Date.now();
    const [, claimed] = (await this.redis.xautoclaim(key, GROUP, this.consumer, claimIdleMs, "0-0", "COUNT", batch)) as [
      string,
      [string, string[]][],
    ];
    const live = claimed.filter((c) => c && c[1]);
    if (live.length) {
      this.logger.warn({ entries: live.length, log: this.opts.name }, "claimed log entries of a stopped writer");
      await this.write(live.map(toEntry));
    }
    const groups = (await this.redis.xinfo("GROUPS", key)) as unknown[][];
    const info = groups.map(pairsToObject).find((g) => g.name === GROUP);
    if (!info) return;
    const pending = (await this.redis.xpending(key, GROUP)) as [number, string | null, string | null, unknown];
    const lag = Number(info.lag ?? 0);
    this.backlog = Number(pending[0]) + (Number.isFinite(lag) ? lag : 0);
    // Everything before the oldest unacknowledged (or undelivered) entry is in MongoDB.
    const keepFrom = pending[1] ?? nextId(String(info["last-delivered-id"]));
    await this.redis.xtrim(key, "MINID", "~", keepFrom);
  }
}

/**
 * `insertMany` that treats duplicate keys as already written (a replayed log entry): returns the
 * indexes of the documents that were duplicates; any other error is thrown. The driver also wraps a
 * failure to reach the server (network, server selection) in a MongoBulkWriteError, with no write
 * errors: that is thrown too (it once counted as success, and a MongoDB outage lost log entries).
 */
export async function insertIgnoringDuplicates(
  collection: { insertMany(docs: never[], options: { ordered: boolean }): Promise<unknown> },
  docs: object[],
): Promise<Set<number>> {
  const duplicates = new Set<number>();
  if (!docs.length) return duplicates;
  try {
    await collection.insertMany(docs as never[], { ordered: false });
  } catch (e) {
    const positions = e instanceof mongo.MongoBulkWriteError ? duplicateWrites(e) : null;
    if (!positions) throw e;
    for (const i of positions) duplicates.add(i);
  }
  return duplicates;
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
