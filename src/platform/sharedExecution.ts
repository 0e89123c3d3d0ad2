// One event, many subscribers: a subscription payload marked with `shareAs(value, key)` is executed
// once per (key, operation, variables) in this process, and every subscriber holding the same
// operation gets that one result. A live dashboard of a busy course then costs one GraphQL execution
// per change, not one per socket.
//
// The key is the promise: two payloads with the same key must resolve to the same result for
// whoever receives them (the key names everything the viewer-dependent part of the value depends on).
import { createSourceEventStream, execute, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import { map } from "@graphql-yoga/subscription";
import { LRUCache } from "lru-cache";

const SHARED = Symbol("campus:shared-execution-key");

/** Marks a subscription payload: every payload with this key presents the same result. */
export function shareAs<T extends object>(value: T, key: string): T {
  Object.defineProperty(value, SHARED, { value: key, enumerable: false });
  return value;
}

const keyOf = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null ? (value as { [SHARED]?: string })[SHARED] : undefined;

/** `subscribe` for graphql-ws: graphql-js's own, with marked payloads executed once. */
export function createSharedSubscribe(maxResults = 2000, ttlMs = 30_000) {
  // A result is needed while one event fans out; the TTL frees it soon after, the bound caps a burst.
  const results = new LRUCache<string, Promise<ExecutionResult> | ExecutionResult>({ max: maxResults, ttl: ttlMs });
  const documents = new WeakMap<DocumentNode, string>();
  const textOf = (doc: DocumentNode) => {
    let text = documents.get(doc);
    if (text === undefined) documents.set(doc, (text = print(doc)));
    return text;
  };

  return async (args: ExecutionArgs) => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
    const run = (payload: unknown) => execute({ ...args, rootValue: payload });
    return map((payload: unknown) => {
      const key = keyOf(payload);
      if (key === undefined) return run(payload);
      const id = `${key}\u0000${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${textOf(args.document)}`;
      let result = results.get(id);
      if (!result) results.set(id, (result = run(payload)));
      return result;
    })(stream as AsyncIterable<unknown>);
  };
}
