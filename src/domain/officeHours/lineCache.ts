// The office-hours documents (line, duty, policy) cached in Redis: where a change reads its line
// (one Redis command instead of a MongoDB read) and where it stores the next version first.
//
// A change, under the course's lock, moves the copy from the version it read to the next one
// (`advance`, a compare-and-set, so a holder that lost its lock cannot overwrite a newer line) and
// publishes; the line's MongoDB write follows (at once, or behind: lineWriter.ts), then clears the
// copy's mark (`saved`). Viewers therefore learn of a change as soon as its entry is written, without
// waiting for the line's MongoDB write. A marked copy is a committed change whose MongoDB write may not
// have happened yet: viewers use whichever of it and MongoDB's copy is newer, and a change queues the
// write again (should its writer have died).
import { BSON } from "mongodb";
import type { Redis } from "ioredis";
import type { OfficeHoursDoc } from "../../models/officeHours";
import { luaScript, RedisScript } from "../../platform/luaScript";

/**
 * KEYS[1]: the hash. ARGV: version, document, ttl seconds. Fills the cache from MongoDB, or clears the
 * mark of a save that has reached MongoDB. Never replaces a newer version; the same version only
 * clears the mark.
 */
const PUT = new RedisScript(luaScript(__dirname, "lineCachePut.lua"), 1);

/**
 * KEYS[1]: the hash. ARGV: the version read, the next version, its document, ttl seconds. Stores the
 * next version, marked as not yet in MongoDB, if the copy still holds the version read (or none).
 */
const ADVANCE = new RedisScript(luaScript(__dirname, "lineCacheAdvance.lua"), 1);

/** KEYS[1]: the hash. ARGV: version. Unmarks the copy if it still holds that version (MongoDB has it now). */
const SAVED = new RedisScript(luaScript(__dirname, "lineCacheSaved.lua"), 1);

/** Idle lines leave the cache after a day. */
const TTL_SECONDS = 86_400;

/** A cached copy; `saving`: its change is committed but MongoDB may not hold it yet. */
export interface CachedOfficeHours {
  doc: OfficeHoursDoc;
  saving: boolean;
}

export class OfficeHoursCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(courseId: string): Promise<CachedOfficeHours | null> {
    const [bytes, saving] = await this.redis.hmgetBuffer(this.key(courseId), "doc", "saving");
    return bytes ? { doc: BSON.deserialize(bytes) as OfficeHoursDoc, saving: saving?.toString() !== "0" } : null;
  }

  /** Stores the next version of a line, marked, if the copy is still at `readVersion`; false if not. */
  async advance(readVersion: number, next: OfficeHoursDoc): Promise<boolean> {
    const stored = await ADVANCE.run<number>(this.redis, this.key(next._id.toHexString()), readVersion, next.version, encode(next), TTL_SECONDS);
    return stored === 1;
  }

  /** The copy as MongoDB holds it: fills the cache, or clears the mark of this version. */
  async put(doc: OfficeHoursDoc): Promise<void> {
    await PUT.run<number>(this.redis, this.key(doc._id.toHexString()), doc.version, encode(doc), TTL_SECONDS);
  }

  /** The version MongoDB now holds: its copy is no longer marked. */
  async saved(courseId: string, version: number): Promise<void> {
    await SAVED.run<number>(this.redis, this.key(courseId), version);
  }

  private key(courseId: string): string {
    return `${this.prefix}office-hours:doc:${courseId}`;
  }
}

const encode = (doc: OfficeHoursDoc) => Buffer.from(BSON.serialize(doc));
