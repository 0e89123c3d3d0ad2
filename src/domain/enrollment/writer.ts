// The enrollment log's writer: the shared stream writer (src/platform/streamWriter.ts) applying the
// enrollment log to MongoDB. Every write is idempotent and ordered by version, so a replayed or
// reordered entry never rolls a document back.
import type { Redis } from "ioredis";
import { Types } from "mongoose";
import { EnrollmentModel, EnrollmentProfileModel, type EnrollmentStatus } from "../../models/enrollment";
import { isDuplicateKey } from "../../platform/duplicateKey";
import type { Logger } from "../../platform/logger";
import { StreamWriter, insertIgnoringDuplicates, type StreamEntry, type WriterPolicy } from "../../platform/streamWriter";

type Entry = StreamEntry;

const STATUS: Record<string, EnrollmentStatus> = { E: "ENROLLED", W: "WAITLISTED", D: "DROPPED" };
/** Log entries that change a student's profile (remaining changes or the profile itself). */
const PROFILE_KINDS = new Set(["PROFILE", "DROPPED", "SWITCHED_FROM"]);

export class EnrollmentLogWriter extends StreamWriter {
  constructor(redis: Redis, logKey: string, logger: Logger, policy: WriterPolicy) {
    super(redis, logger, { key: logKey, name: "enrollment", ...policy, apply: applyEnrollmentLog });
  }
}

/** Writes a batch: the newest version of each enrollment and profile. */
async function applyEnrollmentLog(entries: Entry[]): Promise<void> {
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
  if (fresh.length) await insertIgnoringDuplicates(EnrollmentModel.collection, fresh.map(enrollmentDoc));
  await inBatches(changed, 20, (e) => updateOrInsert(EnrollmentModel, new Types.ObjectId(e.id), Number(e.v), enrollmentDoc(e)));
  await inBatches([...profiles.values()], 20, (e) =>
    updateOrInsert(EnrollmentProfileModel, new Types.ObjectId(e.s), Number(e.pv), profileDoc(e)),
  );
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
    if (!isDuplicateKey(e)) throw e; // a newer version is there
  }
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
