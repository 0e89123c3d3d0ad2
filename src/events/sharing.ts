// Marks for subscription payloads that many subscribers share: a payload marked with
// `shareAs(value, key)` is executed once per (key, operation, variables) by the server
// (src/server/sharedExecution.ts), and every subscriber holding that operation gets the one result.
//
// The key is the promise: two payloads with the same key must resolve to the same result for
// whoever receives them (the key names everything the viewer-dependent part of the value depends on).
const SHARED = Symbol("campus:shared-execution-key");
const SHARED_CONTEXT = Symbol("campus:shared-context");

/** Marks a subscription payload: every payload with this key presents the same result. */
export function shareAs<T extends object>(value: T, key: string): T {
  Object.defineProperty(value, SHARED, { value: key, enumerable: false });
  return value;
}

/**
 * The payload of `key` built from one event, once: every subscriber of the event (they all receive
 * the same parsed object) gets the same marked payload, instead of each building its own copy.
 */
export function sharedPayload<T extends object>(event: object, key: string, build: () => T): T {
  let built = payloads.get(event);
  if (!built) payloads.set(event, (built = new Map()));
  let value = built.get(key) as T | undefined;
  if (!value) built.set(key, (value = shareAs(build(), key)));
  return value;
}
const payloads = new WeakMap<object, Map<string, object>>();

/** The key a payload was marked with (`shareAs`), or undefined for a payload of its own. */
export const sharedKeyOf = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null ? (value as { [SHARED]?: string })[SHARED] : undefined;

/**
 * The context a shared result is executed in: the first subscriber's, marked, so a field whose value
 * would depend on who is looking shows what any viewer may see (`isSharedExecution`).
 */
export function sharedContext(context: unknown): object {
  const shared = Object.create(typeof context === "object" && context !== null ? context : null) as Record<symbol, boolean>;
  shared[SHARED_CONTEXT] = true;
  return shared;
}

/** Whether a resolver runs in a result executed once for many viewers. */
export function isSharedExecution(context: unknown): boolean {
  return typeof context === "object" && context !== null && (context as Record<symbol, unknown>)[SHARED_CONTEXT] === true;
}
