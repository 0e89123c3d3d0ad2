// Scoring rules of SPEC 4.4, as pure functions. The answer script (lua/answer.lua, through `score` in
// lua/lib.lua) applies the same rules inside Redis, where the check, the score and the leaderboard
// update are one atomic step; test/quizzes/scoring.test.ts runs both on the same table of cases so
// they cannot drift apart.

/** Answers faster than this get the full points (reading and tapping take about that long). */
export const FULL_POINTS_UNDER_MS = 500;
/** Streak bonus per consecutive correct answer, and its cap. */
export const STREAK_STEP = 100;
export const STREAK_CAP = 500;

export interface ScoringOptions {
  speedBonus: boolean;
  streakBonus: boolean;
}

/**
 * Points for a correct answer given `elapsedMs` after the question started, out of `limitMs`:
 * points x (1 - t/2T), so from the full points (under 0.5 s) down to half at the time limit; the
 * full points when the speed bonus is off. Rounded to whole points, never negative.
 */
export function speedPoints(points: number, elapsedMs: number, limitMs: number, speedBonus: boolean): number {
  if (!speedBonus || elapsedMs < FULL_POINTS_UNDER_MS) return Math.max(0, points);
  const t = Math.min(Math.max(elapsedMs, 0), limitMs);
  return Math.max(0, Math.round(points * (1 - t / (2 * limitMs))));
}

/**
 * The bonus for a streak of `streak` consecutive correct answers (this one included): a single
 * correct answer is not yet a streak, the second in a row earns +100, the third +200, up to +500.
 */
export function streakBonus(streak: number, enabled: boolean): number {
  if (!enabled || streak < 2) return 0;
  return Math.min(STREAK_STEP * (streak - 1), STREAK_CAP);
}

export interface AnswerScore {
  pointsAwarded: number;
  /** Consecutive correct answers after this one (0 after a wrong answer). */
  streak: number;
}

/** One answer: a wrong answer scores 0 and ends the streak; a right one earns speed and streak points. */
export function scoreAnswer(a: {
  correct: boolean;
  points: number;
  elapsedMs: number;
  limitMs: number;
  /** Consecutive correct answers before this one. */
  streakBefore: number;
  options: ScoringOptions;
}): AnswerScore {
  if (!a.correct) return { pointsAwarded: 0, streak: 0 };
  const streak = a.streakBefore + 1;
  return {
    pointsAwarded: speedPoints(a.points, a.elapsedMs, a.limitMs, a.options.speedBonus) + streakBonus(streak, a.options.streakBonus),
    streak,
  };
}

/**
 * Leaderboard order in one sorted-set score: the points, then who reached them first. `reachedSeq`
 * is a per-quiz counter taken when the score changed; a lower one sorts higher among equal points.
 * Exact in a double while points < 2^21 (a quiz tops out far below: 100 questions x 1,500).
 */
export const TIE_BITS = 2 ** 32;
export function rankScore(points: number, reachedSeq: number): number {
  return points * TIE_BITS + (TIE_BITS - 1 - reachedSeq);
}
export const pointsOf = (rankScoreValue: number) => Math.floor(rankScoreValue / TIE_BITS);
