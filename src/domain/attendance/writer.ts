// The attendance log's durable writer (the shared StreamBatchWriter): every batch stores the audit
// trail (one append-only document per change, keyed by its log entry id) and the newest state of
// each register it touched, read from Redis at write time. New registers go in with one
// `insertMany`; registers already stored are replaced when the stored version is older. Replays
// (a dead writer's entries claimed again) write the same documents again and change nothing.
import type { Redis } from "ioredis";
import { Types } from "mongoose";
import type { LessonSnapshot } from "../../events/catalogue";
import { LessonChangeModel, LessonModel } from "../../models/attendance";
import type { Logger } from "../../platform/logger";
import { StreamBatchWriter, insertIgnoringDuplicates, type StreamEntry } from "../../platform/streamWriter";
import { type AttendanceEngine } from "./engine";

export class AttendanceLogWriter extends StreamBatchWriter {
  constructor(
    redis: Redis,
    private readonly engine: AttendanceEngine,
    logger: Logger,
    claimIdleMs: number,
  ) {
    super(redis, engine.logKey, logger, claimIdleMs, "attendance");
  }

  protected async write(entries: StreamEntry[]): Promise<void> {
    await insertIgnoringDuplicates(
      LessonChangeModel.collection,
      entries.map((e) => ({
        _id: e._streamId,
        lesson: e.id,
        action: e.act,
        by: new Types.ObjectId(e.by),
        at: new Date(Number(e.at)),
        changes: e.ch ? e.ch.split(",") : [],
        version: Number(e.v),
      })),
    );
    const ids = [...new Set(entries.map((e) => e.id))];
    const lessons = await this.engine.hotLessons(ids);
    if (lessons.length < ids.length) {
      this.logger.warn({ missing: ids.length - lessons.length }, "attendance log names registers Redis no longer holds; skipped");
    }
    const docs = lessons.map(lessonDoc);
    const stored = await insertIgnoringDuplicates(LessonModel.collection, docs);
    if (!stored.size) return;
    const newer = [...stored].map((i) => docs[i]);
    await LessonModel.collection.bulkWrite(
      newer.map((d) => ({ replaceOne: { filter: { _id: d._id, version: { $lt: d.version } }, replacement: d } })) as never[],
      { ordered: false },
    );
  }
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
