// Telling an outage of MongoDB or Redis from a bug: the client gets SERVICE_UNAVAILABLE (retry later)
// instead of INTERNAL_SERVER_ERROR, wherever the error was thrown.
import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from "mongodb";

export type OutageReason = "MONGO_UNAVAILABLE" | "REDIS_UNAVAILABLE";

// ioredis while disconnected: no offline queue, a command given up after its retry, a closed socket.
const REDIS_OFFLINE = /^(Stream isn't writeable|Connection is closed|Reached the max retries per request)/;

/**
 * The service an error says is unreachable (this error or what it wraps: a GraphQL error's original,
 * a bulk write's driver error, a cause), if any.
 */
export function outageOf(error: unknown): OutageReason | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = wrapped(e), depth++) {
    if (
      e instanceof MongoNetworkError ||
      e instanceof MongoServerSelectionError ||
      e instanceof MongoNotConnectedError ||
      e instanceof MongoTopologyClosedError ||
      e.name === "MongooseServerSelectionError"
    ) {
      return "MONGO_UNAVAILABLE";
    }
    if (e.name === "MaxRetriesPerRequestError" || REDIS_OFFLINE.test(e.message)) return "REDIS_UNAVAILABLE";
  }
  return undefined;
}

function wrapped(e: Error): unknown {
  const { originalError, errorResponse } = e as { originalError?: unknown; errorResponse?: unknown };
  // The driver wraps a failure to reach the server during a bulk write in a MongoBulkWriteError whose
  // errorResponse is the original error.
  return originalError ?? (errorResponse instanceof Error ? errorResponse : e.cause);
}
