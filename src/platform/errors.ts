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
