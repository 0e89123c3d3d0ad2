// SPEC 4.4 scoring: the pure rules, and the answer script's copy of them held to the same table
// (the script runs in the real Redis, where answers are scored).
import { Redis } from "ioredis";
import { SCORE } from "../../src/domain/quizzes/scripts";
import { pointsOf, rankScore, scoreAnswer, speedPoints, streakBonus, type ScoringOptions } from "../../src/domain/quizzes/scoring";

const both: ScoringOptions = { speedBonus: true, streakBonus: true };

describe("speed bonus: points x (1 - t/2T), full points under 0.5 s", () => {
  it.each([
    [0, 1000],
    [499, 1000], // under 0.5 s: full points
    [500, 988], // 1000 x (1 - 0.5/40) = 987.5, rounded
    [10_000, 750], // half the time: three quarters
    [20_000, 500], // at the limit: half
    [25_000, 500], // past the limit (never happens live): no lower than half
  ])("%i ms of 20 s -> %i", (elapsed, expected) => {
    expect(speedPoints(1000, elapsed, 20_000, true)).toBe(expected);
  });

  it("off: full points whatever the time", () => {
    expect(speedPoints(1000, 19_999, 20_000, false)).toBe(1000);
  });

  it("never negative, zero-point questions stay at zero", () => {
    expect(speedPoints(0, 10_000, 20_000, true)).toBe(0);
    expect(speedPoints(-5, 0, 20_000, true)).toBe(0);
  });
});

describe("streak bonus: +100 per consecutive correct answer, at most +500", () => {
  it.each([
    [1, 0],
    [2, 100],
    [3, 200],
    [6, 500],
    [7, 500],
    [50, 500],
  ])("streak %i -> +%i", (streak, bonus) => {
    expect(streakBonus(streak, true)).toBe(bonus);
  });

  it("off: nothing", () => expect(streakBonus(5, false)).toBe(0));

  it("a wrong answer scores 0 and resets the streak; the next right one starts again", () => {
    const run = [true, true, true, false, true, true];
    let streak = 0;
    const points = run.map((correct) => {
      const s = scoreAnswer({ correct, points: 1000, elapsedMs: 0, limitMs: 20_000, streakBefore: streak, options: both });
      streak = s.streak;
      return s.pointsAwarded;
    });
    expect(points).toEqual([1000, 1100, 1200, 0, 1000, 1100]);
  });

  it("caps at +500 after six in a row", () => {
    let streak = 0;
    const points = Array.from({ length: 8 }, () => {
      const s = scoreAnswer({ correct: true, points: 1000, elapsedMs: 0, limitMs: 20_000, streakBefore: streak, options: both });
      streak = s.streak;
      return s.pointsAwarded;
    });
    expect(points).toEqual([1000, 1100, 1200, 1300, 1400, 1500, 1500, 1500]);
  });
});

describe("leaderboard order: points, then who got there first", () => {
  it("more points rank higher; equal points: the earlier sequence ranks higher", () => {
    const a = rankScore(1500, 10);
    const b = rankScore(1500, 11);
    const c = rankScore(1501, 999_999);
    expect(c).toBeGreaterThan(a);
    expect(a).toBeGreaterThan(b);
    expect([pointsOf(a), pointsOf(b), pointsOf(c)]).toEqual([1500, 1500, 1501]);
  });

  it("stays exact at the largest possible score", () => {
    const top = 100 * 10_500; // 100 questions x (10,000 points + 500 streak)
    expect(rankScore(top, 1) - rankScore(top, 2)).toBe(1);
    expect(pointsOf(rankScore(top, 2))).toBe(top);
  });
});

describe("the answer script scores exactly like scoring.ts", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(() => redis.quit());

  const cases: Array<[boolean, number, number, number, number, boolean, boolean]> = [];
  for (const correct of [true, false])
    for (const points of [0, 1, 999, 1000, 10_000])
      for (const elapsed of [0, 499, 500, 501, 1234, 7_777, 19_999, 20_000, 31_000])
        for (const streak of [0, 1, 4, 5, 9])
          for (const speed of [true, false]) for (const bonus of [true, false]) cases.push([correct, points, elapsed, 20_000, streak, speed, bonus]);

  it(`agrees on ${cases.length} cases`, async () => {
    const pipeline = redis.pipeline();
    for (const [correct, points, elapsed, limit, streak, speed, bonus] of cases) {
      pipeline.eval(SCORE, 0, "x:", correct ? "1" : "0", points, elapsed, limit, streak, speed ? "1" : "0", bonus ? "1" : "0");
    }
    const replies = (await pipeline.exec())!.map(([err, r]) => {
      if (err) throw err;
      return r as [number, number];
    });
    const mismatches = cases.flatMap(([correct, points, elapsedMs, limitMs, streakBefore, speedBonus, streakOn], i) => {
      const ts = scoreAnswer({ correct, points, elapsedMs, limitMs, streakBefore, options: { speedBonus, streakBonus: streakOn } });
      const [luaPoints, luaStreak] = replies[i];
      return ts.pointsAwarded === luaPoints && ts.streak === luaStreak ? [] : [{ case: cases[i], ts, lua: replies[i] }];
    });
    expect(mismatches).toEqual([]);
  });
});
