// The office-hours documents (line, duty, policy) cached in Redis, written through on every change.
// A change reads its line under the course's lock: from here it costs one Redis command instead of
// a MongoDB read (on FerretDB, one of the four database operations a change made). MongoDB stays
// the record: a change still writes the document there first, conditionally on the version it read.
// A change marks the cached copy as being saved before it writes MongoDB and replaces it after: a
// copy so marked (its writer died between the two) is not used, the next reader reads MongoDB.
import { BSON } from "mongodb";
import type { Redis } from "ioredis";
import type { OfficeHoursDoc } from "../../models/officeHours";

/**
 * KEYS[1]: the hash. ARGV: version, document, ttl seconds. Never replaces a newer version; the same
 * version, read back from MongoDB, clears a mark left by a writer that died before writing MongoDB
 * (without it, every read would go to MongoDB until the line next changed).
 */
const PUT = `
local held = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
local version = tonumber(ARGV[1])
if held > version then return 0 end
if held == version then redis.call('HSET', KEYS[1], 'saving', '0') return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'doc', ARGV[2], 'saving', '0')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** Idle lines leave the cache after a day. */
const TTL_SECONDS = 86_400;

type WithPut = Redis & { putOfficeHours(key: string, version: number, doc: Buffer, ttl: number): Promise<number> };

export class OfficeHoursCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    if (!("putOfficeHours" in redis)) redis.defineCommand("putOfficeHours", { numberOfKeys: 1, lua: PUT });
  }

  /** The cached copy, unless there is none or a save of it did not finish. */
  async get(courseId: string): Promise<OfficeHoursDoc | null> {
    const [bytes, saving] = await this.redis.hmgetBuffer(this.key(courseId), "doc", "saving");
    return bytes && saving?.toString() === "0" ? (BSON.deserialize(bytes) as OfficeHoursDoc) : null;
  }

  /** Marks the copy as being saved (until `put`): should the writer die now, readers go to MongoDB. */
  async saving(courseId: string): Promise<void> {
    await this.redis.hset(this.key(courseId), "saving", "1");
  }

  async put(doc: OfficeHoursDoc): Promise<void> {
    await (this.redis as WithPut).putOfficeHours(this.key(doc._id.toHexString()), doc.version, Buffer.from(BSON.serialize(doc)), TTL_SECONDS);
  }

  async forget(courseId: string): Promise<void> {
    await this.redis.del(this.key(courseId));
  }

  private key(courseId: string): string {
    return `${this.prefix}office-hours:doc:${courseId}`;
  }
}
