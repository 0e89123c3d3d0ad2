// The attendance log's durable writer (the shared StreamWriter): every batch stores the audit
// trail (one append-only document per change, keyed by its log entry id) and the newest state of
// each register it touched, read from Redis at write time. New registers go in with one
// `insertMany`; registers already stored are replaced when the stored version is older. Replays
// (a dead writer's entries claimed again) write the same documents again and change nothing. With
// several instances, each register of a batch is claimed in Redis first (CLAIM_WRITES): a register
// another writer is storing waits for the next batch, by when MongoDB has it.
import type { Redis } from "ioredis";
import { Types } from "mongoose";
import type { LessonSnapshot } from "../../events/catalogue";
import { LessonChangeModel, LessonModel } from "../../models/attendance";
import type { Logger } from "../../platform/logger";
import { StreamWriter, insertIgnoringDuplicates, type StreamEntry, type WriterPolicy } from "../../platform/streamWriter";
import { type AttendanceEngine } from "./engine";
import { decodeAttendanceLog } from "./logEntry";

/** An OPEN register changed this recently is likely to be completed in a moment: write it once, then. */
const SETTLE_MS = 1_500;
/** No entry waits longer than this for its register to settle. */
const MAX_WAIT_MS = 10_000;
export class AttendanceLogWriter extends StreamWriter {
  constructor(redis: Redis, engine: AttendanceEngine, logger: Logger, policy: WriterPolicy) {
    super(redis, logger, {
      key: engine.logKey,
      name: "attendance",
      ...policy,
      // A claim lasts as long as an unacknowledged entry before another writer takes it over.
      apply: (entries, writer) => applyAttendanceLog(engine, logger, writer, policy.claimIdleMs, entries),
    });
  }
}

/** Writes a batch; returns the entries whose register is settling or another writer's (they stay pending). */
async function applyAttendanceLog(engine: AttendanceEngine, logger: Logger, writer: string, leaseMs: number, raw: StreamEntry[]): Promise<StreamEntry[]> {
  const now = Date.now();
  const entries = raw.map(decodeAttendanceLog);
  // A register whose oldest entry here has waited MAX_WAIT_MS is written even if still settling.
  const oldest = new Map<string, number>();
  for (const e of entries) oldest.set(e.lessonId, Math.min(oldest.get(e.lessonId) ?? Infinity, Number(e.streamId.split("-")[0])));
  const claims = await engine.claimWrites(writer, now, leaseMs, SETTLE_MS, [...oldest].map(([id, at]) => ({ id, force: now - at >= MAX_WAIT_MS })));

  const mine: { lesson: LessonSnapshot; stored: boolean }[] = [];
  const later = new Set<string>();
  let gone = 0;
  for (const [id, claim] of claims) {
    if (claim.status === "mine") mine.push(claim);
    else if (claim.status === "settling" || claim.status === "busy") later.add(id);
    else if (claim.status === "gone") gone++;
  }
  if (gone) logger.warn({ missing: gone }, "attendance log names registers Redis no longer holds; skipped");

  const fresh = mine.filter((c) => !c.stored).map((c) => lessonDoc(c.lesson));
  const duplicates = await insertIgnoringDuplicates(LessonModel.collection, fresh);
  const replace = [...mine.filter((c) => c.stored).map((c) => lessonDoc(c.lesson)), ...[...duplicates].map((i) => fresh[i])];
  // Corrections of a stored register (rare): the version guard keeps a replayed older state out.
  if (replace.length) {
    await LessonModel.collection.bulkWrite(
      replace.map((d) => ({ replaceOne: { filter: { _id: d._id, version: { $lt: d.version } }, replacement: d } })) as never[],
      { ordered: false },
    );
  }
  await engine.markWritten(writer, mine.map((c) => [c.lesson.id, c.lesson.version]));

  const done = entries.filter((e) => !later.has(e.lessonId));
  await insertIgnoringDuplicates(
    LessonChangeModel.collection,
    done.map((e) => ({
      _id: e.streamId,
      lesson: e.lessonId,
      action: e.action,
      by: new Types.ObjectId(e.by),
      at: new Date(e.at),
      changes: e.changes,
      version: e.version,
    })),
  );
  return raw.filter((_, i) => later.has(entries[i].lessonId));
}

/** The MongoDB document of a register. */
export function lessonDoc(l: LessonSnapshot) {
  const id = (s: string | null) => (s ? new Types.ObjectId(s) : null);
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    _id: l.id,
    group: new Types.ObjectId(l.groupId),
    school: new Types.ObjectId(l.schoolId),
    region: l.region,
    date: l.date,
    period: l.period,
    status: l.status,
    absences: l.absences.map((a) => ({
      student: new Types.ObjectId(a.studentId),
      kind: a.kind,
      reason: a.reason,
      reportedAt: new Date(a.reportedAt),
      reportedBy: new Types.ObjectId(a.reportedBy),
    })),
    roster: l.roster,
    present: l.roster === null || l.absent === null ? null : l.roster - l.absent,
    absent: l.absent,
    late: l.late,
    excused: l.excused,
    approvedActivity: l.approvedActivity,
    takenAt: new Date(l.takenAt),
    takenBy: new Types.ObjectId(l.takenBy),
    completedAt: date(l.completedAt),
    completedBy: id(l.completedBy),
    changedAt: new Date(l.changedAt),
    changedBy: new Types.ObjectId(l.changedBy),
    version: l.version,
  };
}
