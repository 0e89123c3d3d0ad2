// The attendance log's durable writer (the shared StreamWriter): every batch stores the audit
// trail (one append-only document per change, keyed by its log entry id) and the newest state of
// each register it touched, read from Redis at write time. New registers go in with one
// `insertMany`; registers already stored are replaced when the stored version is older. Replays
// (a dead writer's entries claimed again) write the same documents again and change nothing.
import type { Redis } from "ioredis";
import { Types } from "mongoose";
import type { LessonSnapshot } from "../../events/catalogue";
import { LessonChangeModel, LessonModel } from "../../models/attendance";
import type { Logger } from "../../platform/logger";
import { StreamWriter, insertIgnoringDuplicates, type StreamEntry } from "../../platform/streamWriter";
import { type AttendanceEngine } from "./engine";

/** An OPEN register changed this recently is likely to be completed in a moment: write it once, then. */
const SETTLE_MS = 1_500;
/** No entry waits longer than this for its register to settle. */
const MAX_WAIT_MS = 10_000;
/** A batch is written when it holds BATCH entries or is FLUSH_MS old, whichever comes first. */
const BATCH = 1000;
const FLUSH_MS = 500;
/** Register replacements per bulkWrite command. */
const REPLACE_CHUNK = 10;

export class AttendanceLogWriter extends StreamWriter {
  constructor(redis: Redis, engine: AttendanceEngine, logger: Logger, claimIdleMs: number) {
    super(redis, logger, {
      key: engine.logKey,
      name: "attendance",
      batch: BATCH,
      flushMs: FLUSH_MS,
      claimIdleMs,
      apply: (entries) => applyAttendanceLog(engine, logger, entries),
    });
  }
}

/** Writes a batch; returns the entries whose register is still settling (they stay pending). */
async function applyAttendanceLog(engine: AttendanceEngine, logger: Logger, entries: StreamEntry[]): Promise<StreamEntry[]> {
  const now = Date.now();
  const ids = [...new Set(entries.map((e) => e.id))];
  const [lessons, written] = await Promise.all([engine.hotLessons(ids), engine.writtenVersions(ids)]);
  if (lessons.length < ids.length) {
    logger.warn({ missing: ids.length - lessons.length }, "attendance log names registers Redis no longer holds; skipped");
  }
  // A register being taken right now (reported, not yet completed) waits a moment, so the bell's
  // report-then-complete becomes one insert instead of an insert and a replace.
  const settling = new Set(lessons.filter((l) => l.status === "OPEN" && now - l.changedAt < SETTLE_MS).map((l) => l.id));
  const waiting = entries.filter((e) => settling.has(e.id) && now - Number(e._streamId.split("-")[0]) < MAX_WAIT_MS);
  const waitingIds = new Set(waiting.map((e) => e.id));
  const due = lessons.filter((l) => !waitingIds.has(l.id) && (written.get(l.id) ?? 0) < l.version);

  const fresh = due.filter((l) => !written.has(l.id)).map(lessonDoc);
  const duplicates = await insertIgnoringDuplicates(LessonModel.collection, fresh);
  const replace = [...due.filter((l) => written.has(l.id)).map(lessonDoc), ...[...duplicates].map((i) => fresh[i])];
  // Corrections of a stored register (rare): the version guard keeps a replayed older state out. In
  // commands of REPLACE_CHUNK: FerretDB holds a pooled connection per matched statement until its
  // command ends, so one long command could take its whole pool and deadlock it.
  for (let i = 0; i < replace.length; i += REPLACE_CHUNK) {
    await LessonModel.collection.bulkWrite(
      replace.slice(i, i + REPLACE_CHUNK).map((d) => ({ replaceOne: { filter: { _id: d._id, version: { $lt: d.version } }, replacement: d } })) as never[],
      { ordered: false },
    );
  }
  await engine.markWritten(due.map((l) => [l.id, l.version]));

  const done = entries.filter((e) => !waitingIds.has(e.id));
  await insertIgnoringDuplicates(
    LessonChangeModel.collection,
    done.map((e) => ({
      _id: e._streamId,
      lesson: e.id,
      action: e.act,
      by: new Types.ObjectId(e.by),
      at: new Date(Number(e.at)),
      changes: e.ch ? e.ch.split(",") : [],
      version: Number(e.v),
    })),
  );
  return waiting;
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
