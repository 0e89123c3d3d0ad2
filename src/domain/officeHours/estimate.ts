// How long a waiting student should expect to wait: pure, so it is unit-tested at its edges.

/** Assumed meeting length until a course has finished meetings of its own. */
export const DEFAULT_MEETING_SECONDS = 300;
/** How many recent meetings the estimate learns from. */
export const RECENT_MEETINGS = 20;

export interface WaitEstimate {
  minSeconds: number;
  maxSeconds: number;
  staffOnDuty: number;
  /** Finished meetings the figures come from (0: the default meeting length was assumed). */
  basedOnMeetings: number;
}

/** Nearest-rank percentile of ascending-sorted values (p in 0..1). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * The range for the student at `position` (1 = next) when `staffOnDuty` people serve the line in
 * parallel. Those ahead are served `staffOnDuty` at a time: at best in floor(ahead / staff) rounds of
 * short meetings (the 25th percentile), at worst in ceil((ahead + 1) / staff) rounds of long ones (the
 * 75th percentile), the extra round being the meetings already under way. Null while nobody is on duty:
 * no one can say when office hours open.
 */
export function estimateWait(position: number, staffOnDuty: number, recentMeetingSeconds: number[]): WaitEstimate | null {
  if (staffOnDuty <= 0 || position < 1) return null;
  const sorted = [...recentMeetingSeconds].filter((s) => Number.isFinite(s) && s >= 0).sort((a, b) => a - b);
  const short = sorted.length ? percentile(sorted, 0.25) : DEFAULT_MEETING_SECONDS;
  const long = sorted.length ? percentile(sorted, 0.75) : DEFAULT_MEETING_SECONDS;
  const ahead = position - 1;
  return {
    minSeconds: Math.round(Math.floor(ahead / staffOnDuty) * short),
    maxSeconds: Math.round(Math.ceil((ahead + 1) / staffOnDuty) * long),
    staffOnDuty,
    basedOnMeetings: sorted.length,
  };
}
