// The office-hours line store: where a course's line is read and changed, the same on any number of
// instances; the rules (service.ts, expiry.ts) decide what a change does. A change runs under the
// course's lock: the rule writes its entry here (conditional on the state the line says), the next
// version goes to Redis (lineCache.ts: compare-and-set on the version read, marked as not yet in
// MongoDB), its event is published with the whole line (so events leave in version order), and
// MongoDB follows (lineWriter.ts: behind when the entry records the change, never over a newer
// version). A marked copy is a committed change: readers take the newer of it and MongoDB's. A line
// missing from Redis, or out of step with its entries, is rebuilt from the entries.
import { Types } from "mongoose";
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import { actorOf, type EventCatalogue, type QueueEntryState, type QueueState } from "../../events/catalogue";
import {
  ACTIVE_STATUSES,
  decodeLine,
  encodeLine,
  OfficeHoursModel,
  QueueEntryModel,
  type OfficeHoursDoc,
  type QueueEntryDoc,
  type QueueEntryStatus,
  type StoredOfficeHours,
} from "../../models/officeHours";
import type { Clock } from "../../platform/clock";
import { isDuplicateKey } from "../../platform/duplicateKey";
import { fail } from "../../platform/errors";
import type { Locks } from "../../platform/locks";
import type { Logger } from "../../platform/logger";
import type { OfficeHoursCache } from "./lineCache";
import { LineWriter } from "./lineWriter";
import { entryState, queueState } from "./views";

/**
 * A line's MongoDB write waits this long for newer versions of it (lineWriter.ts), so the changes of
 * a course that come together cost one write: a call and its accept, two staff calling, their two
 * invites expiring. Measured with the office-hours benchmark (docs/benchmarks.md): 250 ms took the
 * live part's database CPU from 100 to 65 s; 1 s took the expiry part's p99 from
 * ~1.2 s to 0.37 s on the same machine.
 */
const LINE_WRITE_DELAY_MS = 1000;

/** Thrown inside a change when an entry is not in the state its line says: the line is rebuilt, then `then` thrown. */
class LineOutOfSync extends Error {
  constructor(readonly then: Error) {
    super("office-hours line out of sync with its entries");
  }
}

type EntryEvent = "QueueJoined" | "QueueLeft" | "StudentInvited" | "InviteAccepted" | "InviteExpired" | "MeetingEnded" | "RemovedFromQueue" | "QueueWaitExpired";
type LineEvent = "OfficeHoursOpened" | "OfficeHoursClosed" | "OfficeHoursPolicySet";
/**
 * What a rule did to the line: nothing (no event; the entry it concerns, if any), or the event to
 * publish with the entry it wrote, as it now is (still active, it keeps or takes its place by sortKey;
 * otherwise it leaves), and the fields of the course's document that change with the line.
 */
export type LineChange =
  | { event?: undefined; entry: QueueEntryDoc | null }
  | {
      event: EntryEvent;
      entry: QueueEntryDoc;
      extra?: Partial<Pick<EventCatalogue["QueueLeft"], "declinedInvite"> & Pick<EventCatalogue["InviteExpired"], "requeued">>;
      officeHours?: Partial<OfficeHoursDoc>;
    }
  | { event: LineEvent; entry?: undefined; extra?: undefined; officeHours?: Partial<OfficeHoursDoc> };

/** The line after a change, and the entry it concerns as it stands in it (or as it left it). */
export interface Changed {
  queue: QueueState;
  entry: QueueEntryState | null;
}

export interface LineStoreOptions {
  /** How long a line's MongoDB write waits for newer versions (LINE_WRITE_DELAY_MS). */
  writeDelayMs?: number;
  /** The pause before a failed write is tried again (doubling; lineWriter.ts). */
  retryFirstMs?: number;
}

export class LineStore {
  /** The lines' MongoDB writes, behind the changes. */
  private readonly writer: LineWriter;

  constructor(
    private readonly deps: {
      locks: Locks;
      cache: OfficeHoursCache;
      events: EventBus;
      clock: Clock;
      logger: Logger;
    },
    options: LineStoreOptions = {},
  ) {
    this.writer = new LineWriter(
      (doc) => this.store(doc),
      (err, doc, retrying) =>
        this.deps.logger[retrying ? "warn" : "error"](
          { err, courseId: doc._id.toHexString(), version: doc.version },
          retrying ? "office-hours line not written to MongoDB; retrying" : "office-hours line not written to MongoDB (the next change of the course writes it)",
        ),
      options.writeDelayMs ?? LINE_WRITE_DELAY_MS,
      options.retryFirstMs,
    );
  }

  /** Finishes the lines' MongoDB writes still under way (shutdown). */
  stop(): Promise<void> {
    return this.writer.drain();
  }

  /**
   * Runs `work` (a rule) on the course's line under its lock. When it changed the line, the next
   * version is stored and its event published, still under the lock, so that events leave in version
   * order; when it throws LineOutOfSync, the line is rebuilt from its entries and the error it carries
   * is thrown. Returns the line and the entry the change concerns.
   */
  change(courseId: Types.ObjectId, actor: AuthUser | null, work: (line: OfficeHoursDoc, now: number) => Promise<LineChange>): Promise<Changed> {
    const id = courseId.toHexString();
    return this.deps.locks.withLock(`office-hours:${id}`, async (held) => {
      const now = this.deps.clock();
      const oh = await this.officeHours(courseId, true);
      let result: LineChange;
      try {
        result = await work(oh, now);
      } catch (e) {
        if (!(e instanceof LineOutOfSync)) throw e;
        await this.repair(oh);
        throw e.then;
      }
      if (!result.event) {
        const queue = queueState(oh);
        return { queue, entry: result.entry ? inQueue(queue, result.entry) : null };
      }
      // The change is committed once `work` has written it: that is when it happened for viewers.
      const changedAt = new Date(this.deps.clock());
      const line = result.entry ? withEntry(oh.line, result.entry) : oh.line;
      const next: OfficeHoursDoc = { ...oh, ...result.officeHours, line, nextDeadline: nextDeadline(line), changedAt, version: oh.version + 1 };
      // Another holder may have the line now (this one was too slow to keep its lock): leave the
      // entry ahead of its line, which the next change repairs, rather than overwrite theirs.
      held.check();
      const queue = queueState(next);
      const changed = result.entry ? inQueue(queue, result.entry) : null;
      const payload = changed ? { courseId: id, entry: changed, queue, ...result.extra } : { courseId: id, staffId: actor?.id ?? "", queue };
      const event = result.event;
      // A change of an entry has its record in MongoDB already (the entry); one of the line alone
      // (duty, policy) has none but the line, which is therefore written before the answer.
      await this.save(oh, next, () => this.deps.events.publish(event, payload as never, actor ? actorOf(actor) : null), result.entry ? "behind" : "now");
      return { queue, entry: changed };
    });
  }

  /** The course's line as viewers see it (its document is created on first use). */
  read(courseId: Types.ObjectId): Promise<OfficeHoursDoc> {
    return this.officeHours(courseId);
  }

  /**
   * Whether the course's office-hours document exists (cached or stored), read without creating it as
   * the line's first read does: a course whose office hours were never used is not open, and a listing
   * of a student's courses writes nothing.
   */
  async exists(courseId: Types.ObjectId): Promise<boolean> {
    if (await this.deps.cache.get(courseId.toHexString())) return true;
    return (await OfficeHoursModel.exists({ _id: courseId })) !== null;
  }

  /** The lines whose next deadline has come by `now`, as MongoDB holds them (for the deadlines' sweep). */
  async due(now: Date): Promise<QueueEntryDoc[][]> {
    const lines = await OfficeHoursModel.find({ nextDeadline: { $lte: now } }).select({ line: 1 }).lean<Pick<StoredOfficeHours, "line">[]>();
    return lines.map((oh) => decodeLine(oh.line));
  }

  /**
   * Stores a new entry of the line. One the unique key refuses (the student has an active entry the
   * line lacks: a change died half-way) is out of sync: the line is repaired, then `taken` thrown.
   */
  async addEntry(entry: QueueEntryDoc, taken: Error): Promise<void> {
    try {
      await QueueEntryModel.collection.insertOne(entry);
    } catch (e) {
      if (isDuplicateKey(e)) throw new LineOutOfSync(taken);
      throw e;
    }
  }

  /**
   * One step of an entry, made by the line's `version`: a conditional update (the entry must still be
   * in the state its line says, else LineOutOfSync) that appends to its history and records the
   * version (a line rebuilt from the entries starts past it). Returns the entry as it now is. A unique
   * key the step takes (`staffKey`) that is held already fails as the database says.
   */
  async stepEntry(
    version: number,
    entry: QueueEntryDoc,
    status: QueueEntryStatus,
    at: Date,
    actorId: string | null,
    note: string | null,
    set: Partial<QueueEntryDoc>,
    before: QueueEntryDoc["history"] = [],
  ): Promise<QueueEntryDoc> {
    const steps = [...before, { status, at, actor: actorId ? new Types.ObjectId(actorId) : null, note }];
    const written = await QueueEntryModel.updateOne(
      { _id: entry._id, status: entry.status, invites: entry.invites },
      { $set: { ...set, status, lineVersion: version }, $push: { history: { $each: steps } } },
    );
    if (written.matchedCount !== 1) throw new LineOutOfSync(fail("SERVICE_UNAVAILABLE", "The line was out of date and has been refreshed, try again", "LINE_REPAIRED"));
    return { ...entry, ...set, status, lineVersion: version, history: [...entry.history, ...steps] };
  }

  /**
   * An entry's last step, to a final state: it leaves the line and gives its unique keys back (each
   * then holds the entry's own id). Its pending deadlines are the caller's to cancel.
   */
  endEntry(version: number, entry: QueueEntryDoc, status: QueueEntryStatus, now: number, actorId: string | null, note: string | null): Promise<QueueEntryDoc> {
    const at = new Date(now);
    const id = entry._id.toHexString();
    return this.stepEntry(version, entry, status, at, actorId, note, {
      endedAt: at,
      activeKey: id,
      activeIn: null,
      staffKey: id,
      waitEndsAt: null,
      inviteJob: null,
      waitJob: null,
    });
  }

  /**
   * Stores the next version of a line, if it still follows the version read (it does, under the lock;
   * else the change fails): in Redis, where every reader finds it, then `announce` (the event: the
   * change is committed, its entry written), then MongoDB, the record the cache is rebuilt from: at
   * once, or behind (`writer`) when the change's own record (its entry) is stored already.
   */
  private async save(read: OfficeHoursDoc, next: OfficeHoursDoc, announce: () => Promise<unknown>, mongo: "now" | "behind"): Promise<void> {
    if (!(await this.deps.cache.advance(read.version, next))) throw fail("SERVICE_UNAVAILABLE", "The line changed meanwhile, try again", "LOCK_UNAVAILABLE");
    await announce();
    if (mongo === "now") await this.store(next);
    else this.writer.enqueue(next);
  }

  /**
   * Writes a line to MongoDB unless MongoDB holds that version or a newer one, then unmarks its cached
   * copy. If MongoDB was ahead, its copy goes to the cache, which keeps it only if the cache held an
   * older version (a stale copy: the next change then starts from MongoDB's).
   */
  private async store(next: OfficeHoursDoc): Promise<void> {
    const { _id, line, ...fields } = next;
    const saved = await OfficeHoursModel.updateOne({ _id, version: { $lt: next.version } }, { $set: { ...fields, line: encodeLine(line) } });
    if (saved.matchedCount === 1) await this.deps.cache.saved(_id.toHexString(), next.version);
    else await this.deps.cache.put(await this.storedOfficeHours(_id));
  }

  /** Rebuilds a line from its active entries (under the course's lock) and publishes it. */
  private async repair(oh: OfficeHoursDoc): Promise<void> {
    const next = await this.fromEntries(oh, oh.version + 1);
    await this.save(oh, next, () => this.deps.events.publish("OfficeHoursLineRepaired", { courseId: oh._id.toHexString(), queue: queueState(next) }, null), "behind");
    this.deps.logger.warn({ courseId: oh._id.toHexString(), entries: next.line.length }, "office-hours line rebuilt from its entries");
  }

  /** The course's document with its line read again from the active entries, as `version`. */
  private async fromEntries(oh: OfficeHoursDoc, version: number): Promise<OfficeHoursDoc> {
    const line = (await QueueEntryModel.find({ activeIn: oh._id.toHexString() }).lean<QueueEntryDoc[]>()).sort((a, b) => a.sortKey - b.sortKey);
    return { ...oh, line, nextDeadline: nextDeadline(line), changedAt: new Date(this.deps.clock()), version };
  }

  /**
   * The course's office-hours document (keyed by the course's id): cached, else read (and created on
   * first use). A copy still marked as being saved is the line if this instance is writing it;
   * otherwise it is compared with MongoDB's, and the newer one is the line (the marked copy is a
   * committed change; another instance may still be writing it). A change (`forChange`) then queues the
   * write of the marked copy too (its writer may have died between Redis and MongoDB). Should Redis
   * have lost a newer version this instance made, MongoDB gets that first.
   */
  private async officeHours(courseId: Types.ObjectId, forChange = false): Promise<OfficeHoursDoc> {
    const id = courseId.toHexString();
    const cached = await this.deps.cache.get(id);
    const mine = this.writer.newest(id);
    if (cached && (!cached.saving || mine === cached.doc.version)) return cached.doc;
    if (mine !== undefined && (!cached || mine > cached.doc.version)) await this.writer.settled(id);
    const stored = await this.storedOfficeHours(courseId);
    if (cached && cached.doc.version > stored.version) {
      if (forChange) this.writer.enqueue(cached.doc);
      return cached.doc;
    }
    if (!cached) return this.refill(stored);
    await this.deps.cache.put(stored);
    return stored;
  }

  /**
   * Fills the cache from MongoDB's line when Redis holds none. MongoDB's line may lack the last
   * changes of entries (written behind; Redis lost them with its copy, and their writer died): if an
   * entry records a later version than the line, the line is rebuilt from the entries with a version
   * past every one published, and stored.
   */
  private async refill(stored: OfficeHoursDoc): Promise<OfficeHoursDoc> {
    const last = await QueueEntryModel.findOne({ course: stored._id }).sort({ lineVersion: -1 }).select({ lineVersion: 1 }).lean<{ lineVersion?: number }>();
    const entriesVersion = last?.lineVersion ?? 0;
    if (entriesVersion <= stored.version) {
      await this.deps.cache.put(stored);
      return stored;
    }
    const rebuilt = await this.fromEntries(stored, entriesVersion + 1);
    await this.store(rebuilt);
    await this.deps.cache.put(rebuilt);
    this.deps.logger.warn({ courseId: stored._id.toHexString(), from: stored.version, to: rebuilt.version }, "office-hours line behind its entries rebuilt from them");
    return rebuilt;
  }

  private async storedOfficeHours(courseId: Types.ObjectId): Promise<OfficeHoursDoc> {
    const read = async () => {
      const found = await OfficeHoursModel.findById(courseId).lean<StoredOfficeHours>();
      return found && { ...found, line: decodeLine(found.line) };
    };
    const found = await read();
    if (found) return found;
    try {
      const created = (await OfficeHoursModel.create({ _id: courseId, course: courseId })).toObject() as StoredOfficeHours;
      return { ...created, line: [] };
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      return (await read())!;
    }
  }
}

/** An entry as it stands in the line, or as it is once it has left it. */
const inQueue = (queue: QueueState, entry: QueueEntryDoc) => queue.entries.find((e) => e.entryId === entry._id.toHexString()) ?? entryState(entry);

/** The line after an entry changed: still active, it keeps (or takes) its place by sortKey; otherwise it leaves. */
function withEntry(line: QueueEntryDoc[], entry: QueueEntryDoc): QueueEntryDoc[] {
  const others = line.filter((e) => !e._id.equals(entry._id));
  return ACTIVE_STATUSES.includes(entry.status) ? [...others, entry].sort((a, b) => a.sortKey - b.sortKey) : others;
}

function nextDeadline(line: QueueEntryDoc[]): Date | null {
  const times = line.flatMap((e) => [e.status === "INVITED" ? e.inviteExpiresAt : null, e.status === "WAITING" ? e.waitEndsAt : null]).filter((d): d is Date => !!d);
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
}
