// A register (one lesson's attendance) as Redis holds it: the hash l:<group:date:period>, written by
// the Lua scripts (lua/lib.lua, lua/complete.lua, lua/claimWrites.lua, lua/written.lua) and read here
// (`toSnapshot`) from script replies and HGETALL. Field names are short on the wire; code uses the
// names of FIELDS. Registers stay in Redis for days: the wire names and values must not change.
// test/attendance/wire.test.ts holds the scripts' fields of this hash to FIELDS.
import type { LessonSnapshot } from "../../events/catalogue";
import type { AbsenceKind } from "../../models/attendance";

/** Wire name of each field, besides the absences (ABSENCE). */
export const FIELDS = {
  groupId: "g",
  schoolId: "s",
  region: "r",
  date: "d",
  period: "p",
  /** O open, C completed. */
  status: "st",
  version: "v",
  takenAt: "ta",
  takenBy: "tb",
  /** The last change (absent until the first change after the register was taken). */
  changedAt: "ua",
  changedBy: "ub",
  completedAt: "ca",
  completedBy: "cb",
  /** Counts, set when completed. */
  roster: "n",
  absent: "a",
  excused: "x",
  late: "l",
  approvedActivity: "ap",
  /** The version a log writer stored in MongoDB. */
  writtenVersion: "wv",
  /** A log writer's claim: "writer|until ms". */
  writeClaim: "wc",
} as const;

/** An absence is the field ABSENCE + student id, its value "kind code|reportedAt|reportedBy|reason". */
export const ABSENCE = "a:";

/** The one-letter code of each kind of absence, in the absences and the scripts' arguments. */
export const KIND_CODES: Record<AbsenceKind, string> = { UNEXCUSED: "U", EXCUSED: "E", LATE: "L", APPROVED_ACTIVITY: "A" };
const KINDS: Record<string, AbsenceKind> = { U: "UNEXCUSED", E: "EXCUSED", L: "LATE", A: "APPROVED_ACTIVITY" };

type Wire = (typeof FIELDS)[keyof typeof FIELDS];
const WIRE_NAMES = new Set<string>(Object.values(FIELDS));

const numOrNull = (v: string | undefined) => (v === undefined ? null : Number(v));

/**
 * A register hash as a snapshot (null when Redis does not hold it), read in one pass over the hash
 * as Redis answers it (field, value, field, value...): a register call's reply is read at every
 * mutation, and an object keyed by its fields ("a:<student>" among them) cost more than the rest.
 */
export function toSnapshot(id: string, flat: string[]): LessonSnapshot | null {
  const h: Partial<Record<Wire, string>> = {};
  const absences: LessonSnapshot["absences"] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const f = flat[i];
    const v = flat[i + 1];
    if (f.startsWith(ABSENCE)) {
      const [kind, at, by] = v.split("|", 3);
      const reason = v.slice(kind.length + at.length + by.length + 3);
      absences.push({ studentId: f.slice(ABSENCE.length), kind: KINDS[kind], reason: reason || null, reportedAt: Number(at), reportedBy: by });
    } else if (WIRE_NAMES.has(f)) {
      h[f as Wire] = v;
    }
  }
  const F = FIELDS;
  if (!h[F.groupId]) return null;
  absences.sort((a, b) => (a.studentId < b.studentId ? -1 : 1));
  const completed = h[F.status] === "C";
  return {
    id,
    groupId: h[F.groupId]!,
    schoolId: h[F.schoolId]!,
    region: h[F.region]!,
    date: h[F.date]!,
    period: Number(h[F.period]),
    status: completed ? "COMPLETED" : "OPEN",
    absences,
    roster: completed ? numOrNull(h[F.roster]) : null,
    absent: completed ? numOrNull(h[F.absent]) : null,
    excused: completed ? numOrNull(h[F.excused]) : null,
    late: completed ? numOrNull(h[F.late]) : null,
    approvedActivity: completed ? numOrNull(h[F.approvedActivity]) : null,
    takenAt: Number(h[F.takenAt]),
    takenBy: h[F.takenBy]!,
    completedAt: completed ? Number(h[F.completedAt]) : null,
    completedBy: completed ? h[F.completedBy]! : null,
    changedAt: Number(h[F.changedAt] ?? h[F.takenAt]),
    changedBy: h[F.changedBy] ?? h[F.takenBy]!,
    version: Number(h[F.version]),
  };
}

/** Whether a register hash (as `toSnapshot` reads it) holds a version stored in MongoDB. */
export const hasWrittenVersion = (flat: string[]) => flat.some((f, j) => j % 2 === 0 && f === FIELDS.writtenVersion);

/** A snapshot as the scripts store it (field, value, ...): what `toSnapshot` reads back. */
export function fromSnapshot(s: LessonSnapshot): string[] {
  const F = FIELDS;
  const completed = s.status === "COMPLETED";
  const pairs: [string, string | number | null][] = [
    [F.groupId, s.groupId],
    [F.schoolId, s.schoolId],
    [F.region, s.region],
    [F.date, s.date],
    [F.period, s.period],
    [F.status, completed ? "C" : "O"],
    [F.version, s.version],
    [F.takenAt, s.takenAt],
    [F.takenBy, s.takenBy],
    [F.changedAt, s.changedAt],
    [F.changedBy, s.changedBy],
    ...(completed
      ? ([
          [F.completedAt, s.completedAt],
          [F.completedBy, s.completedBy],
          [F.roster, s.roster],
          [F.absent, s.absent],
          [F.excused, s.excused],
          [F.late, s.late],
          [F.approvedActivity, s.approvedActivity],
        ] as [string, string | number | null][])
      : []),
    ...s.absences.map((a): [string, string] => [`${ABSENCE}${a.studentId}`, `${KIND_CODES[a.kind]}|${a.reportedAt}|${a.reportedBy}|${a.reason ?? ""}`]),
  ];
  return pairs.flatMap(([f, v]) => [f, String(v ?? "")]);
}
