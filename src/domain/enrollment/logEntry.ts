// The enrollment log's entries: written to the Redis Stream by the Lua scripts (lua/lib.lua
// `append`, lua/setProfile.lua), read by the log's writer (writer.ts). Every entry repeats its field
// names, so they are short on the wire; code uses the names of FIELDS. The wire names and values are
// those running deployments' streams hold: changing one breaks the entries not yet written.
// test/enrollment/logEntry.test.ts holds the scripts' XADD fields to LAYOUTS.
import type { RecordStatus } from "./seatRecord";

/** Wire name of each field. */
export const FIELDS = {
  kind: "k",
  enrollmentId: "id",
  courseId: "c",
  studentId: "s",
  /** E enrolled, W waitlisted, D dropped. */
  status: "st",
  version: "v",
  pricePaid: "p",
  /** The waitlist sequence. */
  seq: "q",
  /** ms, the instance's clock. */
  at: "at",
  /** The actor, '' for the system (a promotion). */
  by: "by",
  maxUnits: "max",
  /** The student's enrollment ticket (ms, '' = none). */
  startsAt: "tkt",
  remainingChanges: "chg",
  profileVersion: "pv",
} as const;

type Field = keyof typeof FIELDS;

/** The fields of each kind of entry, in the order the scripts write them. */
export const LAYOUTS = {
  /** A seat changed; the student's profile as it is after the change rides along. */
  seat: ["kind", "enrollmentId", "courseId", "studentId", "status", "version", "pricePaid", "seq", "at", "by", "maxUnits", "startsAt", "remainingChanges", "profileVersion"],
  /** Kind PROFILE: the profile alone. */
  profile: ["kind", "studentId", "at", "maxUnits", "startsAt", "remainingChanges", "profileVersion"],
} as const satisfies Record<string, readonly Field[]>;

export type SeatChangeKind = "ENROLLED" | "WAITLISTED" | "FORCE_ENROLLED" | "DROPPED" | "FORCE_DROPPED" | "SWITCHED_FROM" | "SWITCHED_TO" | "PROMOTED";

interface ProfileState {
  studentId: string;
  at: number;
  maxUnits: number;
  enrollmentStartsAt: number | null;
  remainingChanges: number;
  profileVersion: number;
}

export interface SeatChange extends ProfileState {
  kind: SeatChangeKind;
  enrollmentId: string;
  courseId: string;
  status: RecordStatus;
  version: number;
  pricePaid: number;
  seq: number;
  /** null: the system (a promotion). */
  by: string | null;
}

export interface ProfileChange extends ProfileState {
  kind: "PROFILE";
}

export type EnrollmentLogEntry = SeatChange | ProfileChange;

/** An entry as the stream holds it (field -> value). */
export function decodeEnrollmentLog(raw: Record<string, string>): EnrollmentLogEntry {
  const get = (f: Field) => raw[FIELDS[f]];
  const profile: ProfileState = {
    studentId: get("studentId"),
    at: Number(get("at")),
    maxUnits: Number(get("maxUnits")),
    enrollmentStartsAt: get("startsAt") ? Number(get("startsAt")) : null,
    remainingChanges: Number(get("remainingChanges")),
    profileVersion: Number(get("profileVersion")),
  };
  const kind = get("kind") as EnrollmentLogEntry["kind"];
  if (kind === "PROFILE") return { kind, ...profile };
  return {
    kind,
    enrollmentId: get("enrollmentId"),
    courseId: get("courseId"),
    status: get("status") as RecordStatus,
    version: Number(get("version")),
    pricePaid: Number(get("pricePaid") || 0),
    seq: Number(get("seq")),
    by: get("by") || null,
    ...profile,
  };
}

/** The field/value pairs of an entry, as the scripts XADD them. */
export function encodeEnrollmentLog(e: EnrollmentLogEntry): string[] {
  const values: Partial<Record<Field, string | number | null>> = {
    kind: e.kind,
    studentId: e.studentId,
    at: e.at,
    maxUnits: e.maxUnits,
    startsAt: e.enrollmentStartsAt,
    remainingChanges: e.remainingChanges,
    profileVersion: e.profileVersion,
  };
  if (e.kind !== "PROFILE") {
    Object.assign(values, { enrollmentId: e.enrollmentId, courseId: e.courseId, status: e.status, version: e.version, pricePaid: e.pricePaid, seq: e.seq, by: e.by });
  }
  return (e.kind === "PROFILE" ? LAYOUTS.profile : LAYOUTS.seat).flatMap((f) => [FIELDS[f], String(values[f] ?? "")]);
}
