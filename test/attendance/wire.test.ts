// The attendance wire formats against what the Lua scripts write: the log's codec
// (src/domain/attendance/logEntry.ts) and the register hash (registerHash.ts). The scripts' XADD
// fields are the log's layout and every field they name on a register hash is one of FIELDS; what
// they write on the test run's Redis, and entries and hashes as Redis holds them, decode; and
// encode/decode round-trip.
import { COMPLETE, HYDRATE_GROUP, REPORT } from "../../src/domain/attendance/scripts";
import type { LessonSnapshot } from "../../src/events/catalogue";
import { FIELDS as LOG_FIELDS, LAYOUT, decodeAttendanceLog, encodeAttendanceLog } from "../../src/domain/attendance/logEntry";
import { ABSENCE, FIELDS, fromSnapshot, toSnapshot } from "../../src/domain/attendance/registerHash";
import { hashFields, luaFilesOf, xaddFields } from "../support/lua";
import { pairs, scratchRedis } from "../support/redis";

const files = luaFilesOf("domain/attendance");
const { redis, prefix } = scratchRedis();

it("the scripts write the log's layout", () => {
  const written = xaddFields(files);
  expect(written).toHaveLength(1);
  expect(written[0].fields).toEqual(LAYOUT.map((f) => LOG_FIELDS[f]));
});

it("decodes log entries as the scripts write them, and round-trips", () => {
  const raw = { _streamId: "1700000000000-3", id: "g1:2026-03-02:2", v: "4", act: "REPORT", by: "t1", at: "1700000000000", ch: "s1:U,s2:-" };
  const entry = decodeAttendanceLog(raw);
  expect(entry).toEqual({ streamId: "1700000000000-3", lessonId: "g1:2026-03-02:2", version: 4, action: "REPORT", by: "t1", at: 1_700_000_000_000, changes: ["s1:U", "s2:-"] });
  expect(decodeAttendanceLog({ ...raw, ch: "" }).changes).toEqual([]);
  expect({ _streamId: raw._streamId, ...pairs(encodeAttendanceLog(entry)) }).toEqual(raw);
});

it("every field the scripts name on a register hash is a field of the codec", () => {
  const named = hashFields(files, "L");
  const known = new Set<string>(Object.values(FIELDS));
  // The scripts do name each of them (the check above is not vacuous).
  expect(new Set(named)).toEqual(known);
  expect(ABSENCE).toBe("a:");
});

it("reads a register hash as the scripts write it, and round-trips", () => {
  const open = ["g", "g1", "s", "s1", "r", "north", "d", "2026-03-02", "p", "2", "st", "O", "v", "2", "ta", "100", "tb", "t1", "ua", "150", "ub", "t2", "a:s9", "E|120|t1|dentist|3pm", "a:s3", "U|110|t1|", "wc", "w1|999"];
  const snapshot = toSnapshot("g1:2026-03-02:2", open)!;
  expect(snapshot).toEqual({
    id: "g1:2026-03-02:2",
    groupId: "g1",
    schoolId: "s1",
    region: "north",
    date: "2026-03-02",
    period: 2,
    status: "OPEN",
    absences: [
      { studentId: "s3", kind: "UNEXCUSED", reason: null, reportedAt: 110, reportedBy: "t1" },
      { studentId: "s9", kind: "EXCUSED", reason: "dentist|3pm", reportedAt: 120, reportedBy: "t1" },
    ],
    roster: null,
    absent: null,
    excused: null,
    late: null,
    approvedActivity: null,
    takenAt: 100,
    takenBy: "t1",
    completedAt: null,
    completedBy: null,
    changedAt: 150,
    changedBy: "t2",
    version: 2,
  });
  expect(toSnapshot("x", [])).toBeNull();
  const completed: LessonSnapshot = { ...snapshot, status: "COMPLETED", roster: 30, absent: 2, excused: 1, late: 0, approvedActivity: 0, completedAt: 200, completedBy: "t1", version: 3 };
  expect(toSnapshot(completed.id, fromSnapshot(completed))).toEqual(completed);
  expect(toSnapshot(snapshot.id, fromSnapshot(snapshot))).toEqual(snapshot);
});

it("decodes what the scripts write on Redis: the log's entries and the register", async () => {
  const lesson = "g1:2026-03-02:2";
  await redis.eval(HYDRATE_GROUP, 0, prefix, "g1", "0", "t:t1", "1", "m:s1", "2026-01-01|", "m:s2", "2026-01-01|");
  const call = (now: number) => [prefix, lesson, "g1", "2026-03-02", 2, "t1", now, "0", 4_000_000_000, "sc1", "north"];
  await redis.eval(REPORT, 0, ...call(1_000), "s2", "E", "dentist", "s1", "L", "");
  await redis.eval(COMPLETE, 0, ...call(2_000));
  const entries = (await redis.xrange(`${prefix}log`, "-", "+")).map(([id, f]) => decodeAttendanceLog({ _streamId: id, ...pairs(f) }));
  expect(entries.map(({ streamId, ...e }) => ({ streamId: typeof streamId, ...e }))).toEqual([
    { streamId: "string", lessonId: lesson, version: 1, action: "REPORT", by: "t1", at: 1_000, changes: ["s2:E", "s1:L"] },
    { streamId: "string", lessonId: lesson, version: 2, action: "COMPLETE", by: "t1", at: 2_000, changes: ["completed"] },
  ]);
  const hash = Object.entries(await redis.hgetall(`${prefix}l:${lesson}`)).flat();
  expect(toSnapshot(lesson, hash)).toEqual({
    id: lesson,
    groupId: "g1",
    schoolId: "sc1",
    region: "north",
    date: "2026-03-02",
    period: 2,
    status: "COMPLETED",
    absences: [
      { studentId: "s1", kind: "LATE", reason: null, reportedAt: 1_000, reportedBy: "t1" },
      { studentId: "s2", kind: "EXCUSED", reason: "dentist", reportedAt: 1_000, reportedBy: "t1" },
    ],
    roster: 2,
    absent: 1,
    excused: 1,
    late: 1,
    approvedActivity: 0,
    takenAt: 1_000,
    takenBy: "t1",
    completedAt: 2_000,
    completedBy: "t1",
    changedAt: 2_000,
    changedBy: "t1",
    version: 2,
  });
});
