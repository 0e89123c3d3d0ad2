// A student's record for one course as Redis holds it: the field "c:<course>" of the student's hash
// s:<student>, valued "status|enrollmentId|version|pricePaid|seq". The Lua scripts write and read it
// (lua/lib.lua `fmt` and `parse`); hydration writes it and the engine reads it (engine.ts).
// test/enrollment/logEntry.test.ts runs the scripts' `parse` and `fmt` on what this module writes.

/** E enrolled, W waitlisted, D dropped. */
export type RecordStatus = "E" | "W" | "D";

/** A student's record for one course, as the engine holds it. */
export interface EngineRecord {
  courseId: string;
  status: RecordStatus;
  enrollmentId: string;
  version: number;
  pricePaid: number;
  /** The waitlist sequence of its last enrollment or waitlisting. */
  seq: number;
}

/** The student hash's fields holding records start with this, the course's id follows. */
export const RECORD_FIELD = "c:";
export const recordField = (courseId: string) => `${RECORD_FIELD}${courseId}`;

export function parseRecord(courseId: string, raw: string): EngineRecord {
  const [st, id, v, price, seq] = raw.split("|");
  return { courseId, status: st as RecordStatus, enrollmentId: id, version: Number(v), pricePaid: Number(price), seq: Number(seq) };
}

export function formatRecord(r: Omit<EngineRecord, "courseId">): string {
  return `${r.status}|${r.enrollmentId}|${r.version}|${r.pricePaid}|${r.seq}`;
}
