// Subscription plumbing: domain events in, GraphQL payloads out, optionally a snapshot first
// (so a client that connects or reconnects starts from the current state, never a stale one).
import { Repeater } from "@graphql-yoga/subscription";

// A snapshot of null (nothing to show yet) is skipped.
export function liveFeed<E, T>(source: AsyncIterable<E>, map: (event: E) => T[], snapshot?: () => Promise<T | null>): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const events = source[Symbol.asyncIterator]();
    const stopped = stop.then(() => ({ done: true as const, value: undefined }));
    void stopped.then(() => events.return?.());
    // Ask for the first event before reading the snapshot: that subscribes, so later changes queue up.
    let next = events.next();
    const first = snapshot ? await snapshot() : null;
    if (first !== null) await push(first);
    for (;;) {
      const r = await Promise.race([next, stopped]);
      if (r.done) break;
      for (const value of map(r.value)) await push(value);
      next = events.next();
    }
    stop();
  });
}
