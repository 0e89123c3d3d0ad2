// The soak's options: the domains, their traffic mix (BENCH_SOAK_MIX) and the fixed scale of the
// population it sets up.

export const DOMAINS = ["accounts", "enrollment", "officeHours", "quizzes", "attendance"] as const;
export type Domain = (typeof DOMAINS)[number];

export interface SoakOptions {
  minutes: number;
  /** Operations per second, all domains together. */
  rate: number;
  warmupSec: number;
  windows: number;
  instances: number;
  /** Keep-alive HTTP connections per instance. */
  connections: number;
  maxInFlight: number;
  /** An operation's p99 drift is judged only with at least this many samples in the first and last window. */
  minSamples: number;
  meetingMs: number;
  /** Share of the rate per domain (normalised). */
  mix: Record<Domain, number>;
  seed: number;
  /** Write V8 heap snapshots of each instance after warm-up, halfway and at the end (to bench/results/heap/). */
  heapSnapshots: boolean;
  /** The server's MongoDB pool (maxPoolSize in MONGO_URL; 0 keeps MONGO_URL's, or the server's default). */
  mongoPool: number;
}

/** `accounts=15,enrollment=20,...` over the defaults. */
export function parseMix(text: string | undefined): Record<Domain, number> {
  const mix: Record<Domain, number> = { accounts: 15, enrollment: 20, officeHours: 15, quizzes: 25, attendance: 25 };
  for (const part of (text ?? "").split(",").filter(Boolean)) {
    const [name, value] = part.split("=");
    if (!(DOMAINS as readonly string[]).includes(name) || !(Number(value) >= 0)) throw new Error(`BENCH_SOAK_MIX: bad entry "${part}" (domains: ${DOMAINS.join(", ")})`);
    mix[name as Domain] = Number(value);
  }
  return mix;
}

// Scale of the population (fixed: the soak is about time, not size).
export const ENROLL_STUDENTS = 120;
export const ENROLL_COURSES = 16;
export const MAX_COURSES_PER_STUDENT = 4;
export const OH_COURSES = 4;
export const OH_STUDENTS = 12;
export const OH_DASHBOARDS = 2;
export const OH_MAX_WAITING = 6;
export const QUIZ_COURSES = 2;
export const QUIZ_PLAYERS = 25;
export const QUIZ_QUESTIONS = 5;
export const QUIZ_BOARD_WATCHERS = 10;
export const TEACHERS = 6;
export const PUPILS_PER_GROUP = 25;
export const PERIODS = 24;
export const PAST_DAYS = 5;
export const PASSWORD = "correct horse battery"; // factories.signUp's
