// The error convention (SPEC 3): every error a client sees has `extensions.code` from ERROR_CODES,
// domain rules add `extensions.reason`; internals are masked in production.
import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLError, GraphQLFormattedError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import { ERROR_CODES, isAppError, type ErrorCode } from "../platform/errors";
import { outageOf } from "../platform/outages";

/** Apollo's request-level codes, all caused by the client's document or request. */
const CLIENT_REQUEST_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

export interface ErrorFormatterOptions {
  production: boolean;
  onError?: (code: ErrorCode) => void;
}

/**
 * An error the client did not cause, other than MongoDB or Redis being unreachable (those are
 * logged once by their connections): a bug, logged with its request id, masked in production.
 */
export function isUnexpected(error: GraphQLError): boolean {
  const original = unwrapResolverError(error);
  if (isAppError(original) || original instanceof ArgumentValidationError || outageOf(original)) return false;
  const code = String(error.extensions?.code ?? "INTERNAL_SERVER_ERROR");
  return code === "INTERNAL_SERVER_ERROR" || !(CLIENT_REQUEST_CODES.has(code) || (ERROR_CODES as readonly string[]).includes(code));
}

export function createErrorFormatter(opts: ErrorFormatterOptions) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    let result: GraphQLFormattedError;

    if (isAppError(original)) {
      result = {
        ...base,
        message: original.message,
        extensions: { code: original.code, reason: original.reason ?? original.code, ...original.details },
      };
    } else if (original instanceof ArgumentValidationError) {
      result = {
        ...base,
        message: "Invalid input: " + describeValidation(original),
        extensions: {
          code: "BAD_USER_INPUT",
          reason: "INVALID_INPUT",
          fields: original.extensions.validationErrors?.map((v) => ({
            field: v.property,
            problems: Object.values(v.constraints ?? {}),
          })),
        },
      };
    } else if (outageOf(original)) {
      result = {
        ...base,
        message: "Service unavailable right now, try again",
        extensions: { code: "SERVICE_UNAVAILABLE", reason: outageOf(original) },
      };
    } else {
      const ext = formatted.extensions ?? {};
      const code = String(ext.code ?? "INTERNAL_SERVER_ERROR");
      if (CLIENT_REQUEST_CODES.has(code)) {
        result = { ...base, extensions: { code: "BAD_USER_INPUT", reason: ext.reason ?? code } };
      } else if (code === "BAD_USER_INPUT") {
        result = { ...base, extensions: { code, reason: ext.reason ?? "INVALID_VARIABLES" } };
      } else if ((ERROR_CODES as readonly string[]).includes(code) && code !== "INTERNAL_SERVER_ERROR") {
        result = { ...base, extensions: { code, reason: ext.reason ?? code } };
      } else {
        result = opts.production
          ? { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } }
          : { ...base, extensions: { ...ext, code: "INTERNAL_SERVER_ERROR" } };
      }
    }
    // Production tells callers nothing about the schema beyond what they sent (as introspection is off).
    if (opts.production) result = { ...result, message: withoutSchemaHints(result.message) };
    opts.onError?.(result.extensions!.code as ErrorCode);
    return result;
  };
}

/** graphql-js's suggestions: `Did you mean "sex"?`, `Did you mean the enum value "ADMIN" or "OBSERVER"?`. */
const SCHEMA_HINT = / ?Did you mean [^?]*\?/g;
export const withoutSchemaHints = (message: string) => message.replace(SCHEMA_HINT, "");

/** For errors raised outside Apollo (graphql-ws): same convention, from a GraphQLError. */
export function formatGraphQLError(
  formatError: ReturnType<typeof createErrorFormatter>,
  error: GraphQLError,
): GraphQLFormattedError {
  // graphql-ws wraps an error thrown by a subscription's event stream (say, SERVICE_UNAVAILABLE while
  // reading the first state) in a GraphQLError without a path, which unwrapResolverError keeps as is.
  const original = !error.path && error.originalError ? error.originalError : error;
  return formatError(error.toJSON(), original);
}

function describeValidation(e: ArgumentValidationError): string {
  return (e.extensions.validationErrors ?? [])
    .map((v) => `${v.property}: ${Object.values(v.constraints ?? {}).join(", ")}`)
    .join("; ");
}
