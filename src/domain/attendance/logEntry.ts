// The attendance log's entries: written to the Redis Stream by the Lua scripts (lua/lib.lua
// `finish`), read by the log's writer (writer.ts). Every entry repeats its field names, so they are
// short on the wire; code uses the names of FIELDS. The wire names and values are those running
// deployments' streams hold: changing one breaks the entries not yet written.
// test/attendance/wire.test.ts holds the scripts' XADD fields to LAYOUT.

/** Wire name of each field. */
export const FIELDS = {
  /** The register: "group:date:period". */
  lessonId: "id",
  /** The register's version after the change. */
  version: "v",
  /** REPORT, RETRACT or COMPLETE. */
  action: "act",
  by: "by",
  /** ms, the instance's clock. */
  at: "at",
  /** Comma-separated: "<student>:<kind code>" reported, "<student>:-" retracted, "completed". */
  changes: "ch",
} as const;

type Field = keyof typeof FIELDS;

/** The fields of an entry, in the order the scripts write them. */
export const LAYOUT = ["lessonId", "version", "action", "by", "at", "changes"] as const satisfies readonly Field[];

export interface RegisterChange {
  /** The stream entry's id: the change's id in the audit trail. */
  streamId: string;
  lessonId: string;
  version: number;
  action: string;
  by: string;
  at: number;
  changes: string[];
}

/** An entry as the stream holds it (field -> value, and its `_streamId`). */
export function decodeAttendanceLog(raw: Record<string, string> & { _streamId: string }): RegisterChange {
  const get = (f: Field) => raw[FIELDS[f]];
  const changes = get("changes");
  return {
    streamId: raw._streamId,
    lessonId: get("lessonId"),
    version: Number(get("version")),
    action: get("action"),
    by: get("by"),
    at: Number(get("at")),
    changes: changes ? changes.split(",") : [],
  };
}

/** The field/value pairs of an entry, as the scripts XADD them. */
export function encodeAttendanceLog(e: Omit<RegisterChange, "streamId">): string[] {
  const values: Record<Field, string | number> = { ...e, changes: e.changes.join(",") };
  return LAYOUT.flatMap((f) => [FIELDS[f], String(values[f])]);
}
