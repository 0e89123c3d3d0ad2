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

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly reason?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
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
