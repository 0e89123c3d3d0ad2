// The enrollment log's writer: the shared stream writer (src/platform/streamWriter.ts) applying the
// enrollment log to MongoDB. Every write is idempotent and ordered by version, so a replayed or
// reordered entry never rolls a document back.
import type { Redis } from "ioredis";
import { Types } from "mongoose";
import { EnrollmentModel, EnrollmentProfileModel, type EnrollmentStatus } from "../../models/enrollment";
import { isDuplicateKey } from "../../platform/duplicateKey";
import type { Logger } from "../../platform/logger";
import { StreamWriter, insertIgnoringDuplicates, type StreamEntry, type WriterPolicy } from "../../platform/streamWriter";
import { decodeEnrollmentLog, type EnrollmentLogEntry, type SeatChange } from "./logEntry";
import type { RecordStatus } from "./seatRecord";

const STATUS: Record<RecordStatus, EnrollmentStatus> = { E: "ENROLLED", W: "WAITLISTED", D: "DROPPED" };
/** Log entries that change a student's profile (remaining changes or the profile itself). */
const PROFILE_KINDS = new Set<EnrollmentLogEntry["kind"]>(["PROFILE", "DROPPED", "SWITCHED_FROM"]);

export class EnrollmentLogWriter extends StreamWriter {
  constructor(redis: Redis, logKey: string, logger: Logger, policy: WriterPolicy) {
    super(redis, logger, { key: logKey, name: "enrollment", ...policy, apply: applyEnrollmentLog });
  }
}

/** Writes a batch: the newest version of each enrollment and profile. */
async function applyEnrollmentLog(raw: StreamEntry[]): Promise<void> {
  const enrollments = new Map<string, SeatChange>();
  const profiles = new Map<string, EnrollmentLogEntry>();
  for (const e of raw.map(decodeEnrollmentLog)) {
    if (e.kind !== "PROFILE") {
      const seen = enrollments.get(e.enrollmentId);
      if (!seen || seen.version < e.version) enrollments.set(e.enrollmentId, e);
    }
    if (PROFILE_KINDS.has(e.kind)) {
      const seen = profiles.get(e.studentId);
      if (!seen || seen.profileVersion < e.profileVersion) profiles.set(e.studentId, e);
    }
  }
  const fresh = [...enrollments.values()].filter((e) => e.version === 1);
  const changed = [...enrollments.values()].filter((e) => e.version !== 1);
  if (fresh.length) await insertIgnoringDuplicates(EnrollmentModel.collection, fresh.map(enrollmentDoc));
  await inBatches(changed, 20, (e) => updateOrInsert(EnrollmentModel, new Types.ObjectId(e.enrollmentId), e.version, enrollmentDoc(e)));
  await inBatches([...profiles.values()], 20, (e) =>
    updateOrInsert(EnrollmentProfileModel, new Types.ObjectId(e.studentId), e.profileVersion, profileDoc(e)),
  );
}

function enrollmentDoc(e: SeatChange) {
  const at = new Date(e.at);
  return {
    _id: new Types.ObjectId(e.enrollmentId),
    course: new Types.ObjectId(e.courseId),
    student: new Types.ObjectId(e.studentId),
    status: STATUS[e.status],
    version: e.version,
    seq: e.seq,
    pricePaid: e.pricePaid,
    lastChangeBy: e.by ? new Types.ObjectId(e.by) : null,
    lastChange: e.kind,
    createdAt: at,
    updatedAt: at,
  };
}

function profileDoc(e: EnrollmentLogEntry) {
  return {
    _id: new Types.ObjectId(e.studentId),
    maxUnits: e.maxUnits,
    enrollmentStartsAt: e.enrollmentStartsAt === null ? null : new Date(e.enrollmentStartsAt),
    remainingChanges: e.remainingChanges,
    version: e.profileVersion,
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
