// Subscription plumbing: domain events in, GraphQL payloads out, optionally a snapshot first
// (so a client that connects or reconnects starts from the current state, never a stale one).
import { Repeater } from "@graphql-yoga/subscription";

export function liveFeed<E, T>(source: AsyncIterable<E>, map: (event: E) => T[], snapshot?: () => Promise<T>): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const events = source[Symbol.asyncIterator]();
    const stopped = stop.then(() => ({ done: true as const, value: undefined }));
    void stopped.then(() => events.return?.());
    // Ask for the first event before reading the snapshot: that subscribes, so later changes queue up.
    let next = events.next();
    if (snapshot) await push(await snapshot());
    for (;;) {
      const r = await Promise.race([next, stopped]);
      if (r.done) break;
      for (const value of map(r.value)) await push(value);
      next = events.next();
    }
    stop();
  });
}
