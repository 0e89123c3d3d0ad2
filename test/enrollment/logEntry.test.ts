// The enrollment wire formats against what the Lua scripts write: the log's codec
// (src/domain/enrollment/logEntry.ts): the scripts' XADD fields are its layouts, entries the scripts
// write on the test run's Redis and entries as a deployment's stream holds them decode, and
// encode/decode round-trip; a student's seat record (seatRecord.ts) reads and writes as the scripts do.
import { join } from "node:path";
import { FIELDS, LAYOUTS, decodeEnrollmentLog, encodeEnrollmentLog, type EnrollmentLogEntry } from "../../src/domain/enrollment/logEntry";
import { SET_PROFILE } from "../../src/domain/enrollment/scripts";
import { formatRecord, parseRecord } from "../../src/domain/enrollment/seatRecord";
import { luaScript } from "../../src/platform/luaScript";
import { luaFilesOf, xaddFields } from "../support/lua";
import { pairs, scratchRedis } from "../support/redis";

const LIB = luaScript(join(__dirname, "..", "..", "src", "domain", "enrollment"), "lib.lua");
const { redis, prefix } = scratchRedis();

const wire = (layout: readonly (keyof typeof FIELDS)[]) => layout.map((f) => FIELDS[f]);

it("the scripts write exactly the codec's layouts", () => {
  const written = xaddFields(luaFilesOf("domain/enrollment"));
  const layouts = Object.values(LAYOUTS).map(wire);
  expect(written.length).toBeGreaterThanOrEqual(2);
  for (const x of written) expect({ at: x.at, isALayout: layouts.some((l) => JSON.stringify(l) === JSON.stringify(x.fields)) }).toEqual({ at: x.at, isALayout: true });
  for (const l of layouts) expect(written.map((x) => x.fields)).toContainEqual(l);
});

/** A promotion (by the system) of a student without an enrollment ticket, decoded. */
const PROMOTION: EnrollmentLogEntry = {
  kind: "PROMOTED",
  enrollmentId: "e1",
  courseId: "c1",
  studentId: "s1",
  status: "E",
  version: 3,
  pricePaid: 120,
  seq: 17,
  at: 1_700_000_000_000,
  by: null,
  maxUnits: 20,
  enrollmentStartsAt: null,
  remainingChanges: 2,
  profileVersion: 4,
};

it("decodes entries as the scripts write them", () => {
  // A promotion (by ''), the student without an enrollment ticket (tkt ''), and a profile change.
  const seat = { k: "PROMOTED", id: "e1", c: "c1", s: "s1", st: "E", v: "3", p: "120", q: "17", at: "1700000000000", by: "", max: "20", tkt: "", chg: "2", pv: "4" };
  expect(decodeEnrollmentLog(seat)).toEqual(PROMOTION);
  expect(decodeEnrollmentLog({ ...seat, p: "", by: "a1", tkt: "1600000000000" })).toMatchObject({ pricePaid: 0, by: "a1", enrollmentStartsAt: 1_600_000_000_000 });
  const profile = { k: "PROFILE", s: "s1", at: "1700000000000", max: "18", tkt: "1600000000000", chg: "3", pv: "5" };
  expect(decodeEnrollmentLog(profile)).toEqual({ kind: "PROFILE", studentId: "s1", at: 1_700_000_000_000, maxUnits: 18, enrollmentStartsAt: 1_600_000_000_000, remainingChanges: 3, profileVersion: 5 });
  // Encoding gives back the stream's own fields and values.
  expect(pairs(encodeEnrollmentLog(decodeEnrollmentLog(seat)))).toEqual(seat);
  expect(pairs(encodeEnrollmentLog(decodeEnrollmentLog(profile)))).toEqual(profile);
});

it("round-trips every kind of entry", () => {
  const entries: EnrollmentLogEntry[] = [
    { kind: "ENROLLED", enrollmentId: "e", courseId: "c", studentId: "s", status: "E", version: 1, pricePaid: 0, seq: 1, at: 5, by: "a", maxUnits: 20, enrollmentStartsAt: 7, remainingChanges: 3, profileVersion: 0 },
    { kind: "SWITCHED_FROM", enrollmentId: "e", courseId: "c", studentId: "s", status: "D", version: 2, pricePaid: 99, seq: 4, at: 6, by: null, maxUnits: 0, enrollmentStartsAt: null, remainingChanges: 0, profileVersion: 1 },
    { kind: "PROFILE", studentId: "s", at: 8, maxUnits: 12, enrollmentStartsAt: null, remainingChanges: 1, profileVersion: 9 },
  ];
  for (const e of entries) expect(decodeEnrollmentLog(pairs(encodeEnrollmentLog(e)))).toEqual(e);
});

it("decodes what the scripts write on Redis", async () => {
  await redis.hset(`${prefix}s:s1`, "h", "1", "max", "20", "tkt", "", "chg", "2", "pv", "4");
  const record = formatRecord({ status: "E", enrollmentId: "e1", version: 3, pricePaid: 120, seq: 17 });
  await redis.eval(`${LIB}\nappend('PROMOTED', 'c1', 's1', parse(ARGV[2]), '', tonumber(ARGV[3]))`, 0, prefix, record, 1_700_000_000_000);
  await redis.eval(SET_PROFILE, 0, prefix, "s1", 1_700_000_000_001, "18", "1600000000000", "3");
  const rows = (await redis.xrange(`${prefix}log`, "-", "+")).map(([, fields]) => decodeEnrollmentLog(pairs(fields)));
  expect(rows).toEqual([
    PROMOTION,
    { kind: "PROFILE", studentId: "s1", at: 1_700_000_000_001, maxUnits: 18, enrollmentStartsAt: 1_600_000_000_000, remainingChanges: 3, profileVersion: 5 },
  ]);
});

it("a seat record reads and writes as the scripts' parse and fmt do", async () => {
  const record = { status: "W" as const, enrollmentId: "e2", version: 12, pricePaid: 99.5, seq: 4_000_001 };
  const text = formatRecord(record);
  expect(text).toBe("W|e2|12|99.5|4000001");
  const [st, id, v, price, seq, again] = (await redis.eval(
    `${LIB}\nlocal r = parse(ARGV[2]) return {r.st, r.id, tostring(r.v), r.price, r.seq, fmt(r)}`,
    0,
    prefix,
    text,
  )) as string[];
  expect({ st, id, v, price, seq, again }).toEqual({ st: "W", id: "e2", v: "12", price: "99.5", seq: "4000001", again: text });
  expect(parseRecord("c9", again)).toEqual({ courseId: "c9", ...record });
});
