// What a client may send, as plain predicates: the schema's validators (src/schema/bounds.ts) are
// built on them, and code that skips class-validator on a hot path calls them directly.

/**
 * Never in text: C0 and C1 control characters (a single line takes no tab or line break either)
 * and the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which
 * make a code or title read differently from what it is.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export interface TextRule {
  /** Least length once trimmed (default 1: not blank). */
  min?: number;
  /** Most length as sent. */
  max: number;
  /** Tabs and line breaks allowed (descriptions, questions, notes). */
  multiline?: boolean;
}

export function isSafeText(value: unknown, rule: TextRule): value is string {
  if (typeof value !== "string" || value.length > rule.max) return false;
  if (value.trim().length < (rule.min ?? 1)) return false;
  return !(rule.multiline ? NOT_IN_TEXT : NOT_IN_LINE).test(value);
}

export const MAX_URL_LENGTH = 2048;

/** An absolute https URL with a host and no credentials (links are pushed to other users' screens). */
export function isHttpsUrl(value: unknown, max = MAX_URL_LENGTH): value is string {
  if (typeof value !== "string" || value.length > max || NOT_IN_LINE.test(value) || /\s/.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === "https:" && url.hostname !== "" && url.username === "" && url.password === "";
}

/** Text that starts like a link ("javascript:...", "https://...", but not "Room 4: B12" or "12:30"). */
const LINK_LIKE = /^\s*[a-z][a-z0-9+.-]*:(?![\d\s])/i;

/** A place: a room name, or else an https link. */
export function isPlace(value: unknown, max: number): value is string {
  if (!isSafeText(value, { min: 0, max })) return false;
  return !LINK_LIKE.test(value) || isHttpsUrl(value.trim(), max);
}

/** Dates a client may send: from 2000-01-01 (inclusive) to 2100-01-01 (exclusive), UTC. */
export const EARLIEST_DATE = Date.UTC(2000, 0, 1);
export const LATEST_DATE = Date.UTC(2100, 0, 1);

export function isDateInRange(value: unknown): value is Date {
  if (!(value instanceof Date)) return false;
  const t = value.getTime();
  return t >= EARLIEST_DATE && t < LATEST_DATE;
}

/** The most a course may cost (the currency's units). */
export const MAX_PRICE = 1_000_000;
