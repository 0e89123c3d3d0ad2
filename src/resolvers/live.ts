// Subscription plumbing: domain events in, GraphQL payloads out, optionally a snapshot first
// (so a client that connects or reconnects starts from the current state, never a stale one).
import { Repeater } from "@graphql-yoga/subscription";

/** `snapshot` may resolve to null or undefined when there is nothing to show yet (then it is skipped). */
export function liveFeed<E, T>(source: AsyncIterable<E>, map: (event: E) => T[], snapshot?: () => Promise<T | null | undefined>): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const events = source[Symbol.asyncIterator]();
    const stopped = stop.then(() => ({ done: true as const, value: undefined }));
    void stopped.then(() => events.return?.());
    // Ask for the first event before reading the snapshot: that subscribes, so later changes queue up.
    let next = events.next();
    const first = snapshot ? await snapshot() : undefined;
    if (first !== undefined && first !== null) await push(first);
    for (;;) {
      const r = await Promise.race([next, stopped]);
      if (r.done) break;
      for (const value of map(r.value)) await push(value);
      next = events.next();
    }
    stop();
  });
}
