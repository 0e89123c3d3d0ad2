// One event, many subscribers: a subscription payload marked with `shareAs(value, key)`
// (src/events/sharing.ts) is executed once per (key, operation, variables) in this process, and every
// subscriber holding the same operation gets that one result. A live dashboard of a busy course then
// costs one GraphQL execution per change, not one per socket. A shared result is serialized once.
import { LRUCache } from "lru-cache";
import { createSourceEventStream, execute, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import { sharedContext, sharedKeyOf } from "../events/sharing";

type Result = Promise<ExecutionResult> | ExecutionResult;

/**
 * The results of recent events, kept while one event fans out: insertion-ordered, so the oldest go
 * first when it is full, and dropped once older than the TTL. (An LRU with per-entry TTL cost more
 * per delivery than the rest of the fan-out's bookkeeping: every subscriber of an event reads it.)
 */
class RecentResults {
  private readonly entries = new Map<string, { result: Result; at: number }>();

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  get(id: string, now: number): Result | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (now - e.at <= this.ttlMs) return e.result;
    this.entries.delete(id);
    return undefined;
  }

  set(id: string, result: Result, now: number): void {
    this.entries.set(id, { result, at: now });
    for (const [oldest, e] of this.entries) {
      if (this.entries.size <= this.max && now - e.at <= this.ttlMs) break;
      this.entries.delete(oldest);
    }
  }
}

/** `subscribe` for graphql-ws: graphql-js's own, with marked payloads executed once. */
export function createSharedSubscribe(maxResults = 2000, ttlMs = 30_000) {
  // A result is needed while one event fans out; the TTL frees it soon after, the bound caps a burst.
  const results = new RecentResults(maxResults, ttlMs);
  const documents = new WeakMap<DocumentNode, string>();
  const textOf = (doc: DocumentNode) => {
    let text = documents.get(doc);
    if (text === undefined) documents.set(doc, (text = print(doc)));
    return text;
  };
  // Each distinct operation (name, variables, document) gets a short number, so the key of a
  // delivery is the payload's key and that number, not a copy of the whole document's text.
  const operations = new LRUCache<string, string>({ max: 10_000, maxSize: 4_000_000, sizeCalculation: (_id, operation) => operation.length });
  let operationCount = 0;
  const operationId = (operation: string) => {
    let id = operations.get(operation);
    if (id === undefined) operations.set(operation, (id = `\u0000${(operationCount++).toString(36)}`));
    return id;
  };

  return async (args: ExecutionArgs) => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
    const run = (payload: unknown) => execute({ ...args, rootValue: payload });
    const shared = { ...args, contextValue: sharedContext(args.contextValue) };
    // What this subscription's results depend on besides the payload: fixed for its life.
    const operation = operationId(`${args.operationName ?? ""}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${textOf(args.document)}`);
    return mapEvents(stream as AsyncIterable<unknown>, (payload) => {
      const key = sharedKeyOf(payload);
      if (key === undefined) return run(payload);
      const id = key + operation;
      const now = Date.now();
      let result = results.get(id, now);
      if (!result) results.set(id, (result = Promise.resolve(execute({ ...shared, rootValue: payload })).then(markShared)), now);
      return result;
    });
  };
}

// ---- one serialization per shared result ----
//
// graphql-ws writes every result as its own message (`{"id":…,"type":"next","payload":…}`), so a
// result shared by thousands of subscribers was stringified and encoded to UTF-8 once per socket:
// the largest per-delivery cost after the socket write itself. A shared result's payload is
// serialized once, as bytes; each socket's message is its own short head with those bytes spliced in.

const sharedResults = new WeakSet<object>();
const markShared = (result: ExecutionResult): ExecutionResult => {
  if (!result.errors) sharedResults.add(result);
  return result;
};

/** Stands in for a shared result in graphql-ws's message: it serializes as PLACEHOLDER, noting which result it was. */
class SharedResultJson {
  constructor(readonly bytes: Buffer) {}
  toJSON(): string {
    lastSerialized = this.bytes;
    return PLACEHOLDER;
  }
}
const PLACEHOLDER = "\u0000campus:shared-result";
/** How a message built around a SharedResultJson ends, as graphql-ws stringifies it. */
const TAIL = `"payload":${JSON.stringify(PLACEHOLDER)}}`;
const CLOSE = Buffer.from("}");
/** The bytes of the SharedResultJson serialized last: graphql-ws stringifies a message and sends it in one synchronous step. */
let lastSerialized: Buffer | null = null;
const serialized = new WeakMap<object, SharedResultJson>();

/**
 * For graphql-ws's `onNext`: what to send instead of `result` when it is a shared result (else
 * undefined, and graphql-ws sends the result as usual). Its bytes are built on first use.
 */
export function sharedMessagePayload(result: ExecutionResult): SharedResultJson | undefined {
  if (!sharedResults.has(result)) return undefined;
  let json = serialized.get(result);
  if (!json) serialized.set(result, (json = new SharedResultJson(Buffer.from(JSON.stringify(result)))));
  return json;
}

/**
 * Wraps a socket's `send` so a message that carries a SharedResultJson goes out as its head plus the
 * shared bytes, in one text frame; every other message is sent unchanged.
 */
export function spliceSharedResults(socket: { send(data: unknown, ...rest: unknown[]): void }): void {
  const send = socket.send.bind(socket);
  socket.send = (data: unknown, ...rest: unknown[]) => {
    const shared = lastSerialized;
    lastSerialized = null;
    if (!shared || typeof data !== "string" || !data.endsWith(TAIL)) return send(data, ...rest);
    const head = Buffer.from(data.slice(0, data.length - TAIL.length + '"payload":'.length));
    const cb = rest.find((r) => typeof r === "function");
    return send(Buffer.concat([head, shared, CLOSE]), { binary: false }, cb);
  };
}

/**
 * Each event of `source` through `fn`, one at a time; ending it ends the source. (A plain iterator:
 * a Repeater here cost a queue and promises per delivery, paid by every subscriber of every event.)
 */
function mapEvents<T, U>(source: AsyncIterable<T>, fn: (value: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const events = source[Symbol.asyncIterator]();
  return {
    async next() {
      const r = await events.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: await fn(r.value) };
    },
    async return() {
      await events.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      if (events.throw) await events.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
