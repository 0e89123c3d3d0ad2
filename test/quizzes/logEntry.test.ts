// The quiz log's codec (src/domain/quizzes/logEntry.ts) against what the Lua scripts write: their
// XADD fields are the codec's layouts, entries the scripts write on the test run's Redis and entries
// as a deployment's stream holds them decode, and encode/decode round-trip. Also holds the scripts'
// push size to PUSH_SIZE.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIELDS, LAYOUTS, decodeQuizLog, encodeQuizLog, type QuizLogEntry } from "../../src/domain/quizzes/logEntry";
import { ANSWER, CLOSE, JOIN, LOAD, PUSH_SIZE } from "../../src/domain/quizzes/scripts";
import { luaFilesOf, redisCalls, xaddFields } from "../support/lua";
import { pairs, scratchRedis } from "../support/redis";

const { redis, prefix } = scratchRedis();


it("each script writes the layout of the kind it writes", () => {
  const files = luaFilesOf("domain/quizzes");
  const written = files.flatMap(redisCalls).filter((c) => c.command === "XADD");
  expect(written.map((c) => c.args[2]).sort()).toEqual(["A", "C", "J"]);
  for (const c of written) {
    const kind = c.args[2] as keyof typeof LAYOUTS;
    expect({ kind, fields: c.args.slice(1).filter((_, i) => i % 2 === 0) }).toEqual({ kind, fields: LAYOUTS[kind].map((f) => FIELDS[f]) });
  }
  expect(xaddFields(files)).toHaveLength(3);
});

it("decodes entries as the scripts write them; an unknown kind is skipped", () => {
  const answer = { k: "A", qz: "q1", q: "x1", u: "u1", ch: "2", ok: "1", pts: "950", tot: "1950", ms: "1200", at: "1700000000000" };
  expect(decodeQuizLog(answer)).toEqual({
    kind: "A",
    quizId: "q1",
    questionId: "x1",
    userId: "u1",
    choice: 2,
    correct: true,
    pointsAwarded: 950,
    totalScore: 1950,
    elapsedMs: 1200,
    at: 1_700_000_000_000,
  });
  expect(decodeQuizLog({ ...answer, ok: "0" })).toMatchObject({ correct: false });
  const join = { k: "J", qz: "q1", u: "u1", at: "5" };
  const close = { k: "C", qz: "q1", at: "6" };
  expect(decodeQuizLog(join)).toEqual({ kind: "J", quizId: "q1", userId: "u1", at: 5 });
  expect(decodeQuizLog(close)).toEqual({ kind: "C", quizId: "q1", at: 6 });
  expect(decodeQuizLog({ k: "X", qz: "q1" })).toBeNull();
  for (const raw of [answer, join, close]) expect(pairs(encodeQuizLog(decodeQuizLog(raw)!))).toEqual(raw);
});

it("round-trips every kind of entry", () => {
  const entries: QuizLogEntry[] = [
    { kind: "J", quizId: "q", userId: "u", at: 1 },
    { kind: "A", quizId: "q", questionId: "x", userId: "u", choice: 0, correct: false, pointsAwarded: 0, totalScore: 300, elapsedMs: 0, at: 2 },
    { kind: "C", quizId: "q", at: 3 },
  ];
  for (const e of entries) expect(decodeQuizLog(pairs(encodeQuizLog(e)))).toEqual(e);
});

it("the scripts push as many places as PUSH_SIZE", () => {
  const lib = readFileSync(join(__dirname, "..", "..", "src", "domain", "quizzes", "lua", "lib.lua"), "utf8");
  expect(Number(/^local PUSH = (\d+)/m.exec(lib)?.[1])).toBe(PUSH_SIZE);
});

it("decodes what the scripts write on Redis", async () => {
  const quiz = { mode: "S", from: 0, to: "", st: "O", closedAt: "", speed: "0", streak: "0", n: 1, cur: -1, qs: "", qe: "", seq: 0, v: 0, "q:x1": "0|4|1|1000|20000", "i:0": "x1" };
  const fields = Object.entries(quiz).flat();
  await redis.eval(LOAD, 0, prefix, "q1", fields.length / 2, ...fields);
  await redis.eval(JOIN, 0, prefix, "q1", "u1", "Ada", 1000);
  await redis.eval(ANSWER, 0, prefix, "q1", "x1", "u1", 1, 1000);
  await redis.eval(CLOSE, 0, prefix, "q1");
  const [joined, answered, closed] = (await redis.xrange(`${prefix}log`, "-", "+")).map(([, f]) => decodeQuizLog(pairs(f)));
  expect(joined).toEqual({ kind: "J", quizId: "q1", userId: "u1", at: expect.any(Number) });
  expect(answered).toEqual({
    kind: "A",
    quizId: "q1",
    questionId: "x1",
    userId: "u1",
    choice: 1,
    correct: true,
    pointsAwarded: 1000,
    totalScore: 1000,
    elapsedMs: answered!.at - joined!.at,
    at: expect.any(Number),
  });
  expect(closed).toEqual({ kind: "C", quizId: "q1", at: expect.any(Number) });
  expect(closed!.at).toBeGreaterThanOrEqual(answered!.at);
});
