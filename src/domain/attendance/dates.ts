// School calendar dates. A lesson's date is an ISO calendar date (YYYY-MM-DD) in its school's time
// zone: "today", the future and the correction window are judged on the school's clock, not the
// server's. Pure functions, unit-tested.
import { EARLIEST_DATE, LATEST_DATE } from "../../platform/inputRules";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** A real calendar date in YYYY-MM-DD form (2025-02-30 is not), within the dates clients may send (2000 to 2099). */
export function isCalendarDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.getTime() < EARLIEST_DATE || d.getTime() >= LATEST_DATE) return false;
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const MINUTE_MS = 60_000;
/** Per time zone: its formatter and the date of the last minute asked for (every zone's offset is whole minutes). */
const zones = new Map<string, { format: Intl.DateTimeFormat; minute: number; date: string }>();

/** The calendar date of instant `nowMs` in time zone `tz`. */
export function localDate(tz: string, nowMs: number): string {
  let z = zones.get(tz);
  if (!z) {
    z = { format: new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }), minute: NaN, date: "" };
    zones.set(tz, z);
  }
  const minute = Math.floor(nowMs / MINUTE_MS);
  if (minute !== z.minute) {
    z.date = z.format.format(nowMs); // en-CA formats as YYYY-MM-DD
    z.minute = minute;
  }
  return z.date;
}

const toDayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const fromDayNumber = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let n = toDayNumber(from), end = toDayNumber(to); n <= end; n++) out.push(fromDayNumber(n));
  return out;
}

/** Seconds since the epoch at which the day `days` after `date` ends (UTC; a day's slack covers every zone). */
export function endOfDayAfter(date: string, days: number): number {
  return (toDayNumber(date) + days + 2) * 86_400;
}

export type DateVerdict = "OK" | "INVALID_DATE" | "LESSON_LOCKED";

/**
 * May the register of `date` be changed now? Not a real date or in the school's future:
 * INVALID_DATE. More than `windowDays` before the school's today: LESSON_LOCKED.
 */
export function judgeLessonDate(date: string, today: string, windowDays: number): DateVerdict {
  if (!isCalendarDate(date)) return "INVALID_DATE";
  const age = daysBetween(date, today);
  if (age < 0) return "INVALID_DATE";
  if (age > windowDays) return "LESSON_LOCKED";
  return "OK";
}
