// Subscription plumbing: domain events in, GraphQL payloads out, optionally a snapshot first
// (so a client that connects or reconnects starts from the current state, never a stale one).
import { Repeater } from "@graphql-yoga/subscription";

/** `snapshot` may resolve to null or undefined when there is nothing to show yet (then it is skipped). */
export function liveFeed<E, T>(source: AsyncIterable<E>, map: (event: E) => T[], snapshot?: () => Promise<T | null | undefined>): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const events = source[Symbol.asyncIterator]();
    // Each wait for the next event gets its own wake-up: racing every event against one promise that
    // stays pending for the subscription's life (`Promise.race([next, stop])`) leaves a reaction on it
    // per event, and with it the event, until the client goes (memory grew with every delivery).
    let stopped = false;
    let wake: (() => void) | undefined;
    void stop.then(() => {
      stopped = true;
      wake?.();
      return events.return?.();
    });
    // Ask for the first event before reading the snapshot: that subscribes, so later changes queue up.
    let next = events.next();
    const first = snapshot ? await snapshot() : undefined;
    if (first !== undefined && first !== null && !stopped) await push(first);
    while (!stopped) {
      const r = await new Promise<IteratorResult<E> | null>((resolve, reject) => {
        wake = () => resolve(null);
        next.then(resolve, reject);
      });
      if (!r || r.done) break;
      for (const value of map(r.value)) await push(value);
      next = events.next();
    }
    wake = undefined;
    stop();
  });
}
