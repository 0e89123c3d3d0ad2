// One error type for the whole server. Domain code throws AppError (no GraphQL imports there);
// the GraphQL layer turns it into `extensions.code` + `extensions.reason` (see formatError).

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "SERVICE_UNAVAILABLE",
  "INTERNAL_SERVER_ERROR",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Failures of the server itself: their stack says where they came from and is logged. */
const UNEXPECTED: ReadonlySet<ErrorCode> = new Set(["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"]);

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly reason?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, reason?: string, details?: Record<string, unknown>) {
    // A refusal (a full course, a wrong role) is an answer, not a fault: no stack trace is captured
    // for it (capturing and formatting one is paid on every refused request, and nothing reads it).
    const limit = Error.stackTraceLimit;
    if (!UNEXPECTED.has(code)) Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = "AppError";
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

/** The helper every layer uses: `throw fail("CONFLICT", "Course is full", "COURSE_FULL")`. */
export function fail(
  code: ErrorCode,
  message: string,
  reason?: string,
  details?: Record<string, unknown>,
): AppError {
  return new AppError(code, message, reason, details);
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** For nullable lookups: `.catch(nullIfNotFound)` answers null for NOT_FOUND and rethrows the rest (outages). */
export function nullIfNotFound(e: unknown): null {
  if (isAppError(e) && e.code === "NOT_FOUND") return null;
  throw e;
}

/** A domain's rule reasons with the code and words a client gets; unknown reasons are CONFLICTs. */
export function reasonErrors(table: Record<string, [ErrorCode, string]>): (reason: string) => AppError {
  return (reason) => {
    const [code, message] = table[reason] ?? ["CONFLICT", reason];
    return fail(code, message, reason);
  };
}

/**
 * Runs a Redis-backed step: domain errors pass through, an outage becomes SERVICE_UNAVAILABLE. The
 * failure is kept as its cause, so code that retries outages (the log writers, `outageOf`) can tell
 * Redis being unreachable from a bug.
 */
export async function unavailableUnlessApp<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof AppError) throw e;
    const error = fail("SERVICE_UNAVAILABLE", `${what} unavailable right now, try again`, "REDIS_UNAVAILABLE");
    error.cause = e;
    throw error;
  }
}
