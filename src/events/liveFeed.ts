// The feed under every subscription: domain events in, views out, optionally a snapshot first (so a
// client that connects or reconnects starts from the current state, never a stale one). It subscribes
// before reading the snapshot, so no change between the two is lost; versionedFeed.ts adds the order.
//
// A plain iterator, not a Repeater: a quiz's leaderboard goes to thousands of sockets at each push,
// and every delivery through a Repeater cost a queue entry and promises of its own (its push resolves
// when the consumer takes the value), on top of the event source's and graphql-ws's.

/**
 * What a feed lasts no longer than: the right its subscription was granted (src/events/access.ts).
 * `attach` is told how to end the feed when the right is withdrawn (never before `attach` returns);
 * it answers how to let go of the right.
 */
export interface FeedRight {
  attach(end: (error: Error) => void): () => void;
}

/**
 * `snapshot` may resolve to null or undefined when there is nothing to show yet (then it is skipped).
 * With a `right`, the feed ends with the error its withdrawal brings (the subscription's `error`).
 */
export function liveFeed<E, T>(
  source: AsyncIterable<E>,
  map: (event: E) => T[],
  snapshot?: () => Promise<T | null | undefined>,
  right?: FeedRight,
): AsyncIterableIterator<T> {
  const events = source[Symbol.asyncIterator]();
  const ready: T[] = [];
  let pending: Promise<IteratorResult<E>> | undefined;
  let stopped = false;
  /** Why the feed was ended from outside (its right withdrawn), thrown once to the consumer. */
  let withdrawn: Error | undefined;
  // Each wait for the next event gets its own wake-up: racing every event against one promise that
  // stays pending for the subscription's life (`Promise.race([next, stop])`) leaves a reaction on it
  // per event, and with it the event, until the client goes (memory grew with every delivery).
  let wake: (() => void) | undefined;

  const stop = (): IteratorResult<T> => {
    if (!stopped) {
      stopped = true;
      release?.();
      ready.length = 0;
      wake?.();
      // Not awaited: a source waiting for its next event may only end when that event comes.
      void Promise.resolve(events.return?.()).catch(() => undefined);
    }
    return { done: true, value: undefined };
  };

  const release = right?.attach((error) => {
    withdrawn ??= error;
    stop();
  });

  const nextEvent = () =>
    new Promise<IteratorResult<E> | null>((resolve, reject) => {
      wake = () => resolve(null);
      pending!.then(resolve, reject);
    });

  return {
    async next(): Promise<IteratorResult<T>> {
      try {
        if (!pending) {
          // Ask for the first event before reading the snapshot: that subscribes, so later changes queue up.
          pending = events.next();
          const first = snapshot ? await snapshot() : undefined;
          if (first !== undefined && first !== null && !stopped) return { done: false, value: first };
        }
        while (!stopped) {
          if (ready.length) return { done: false, value: ready.shift()! };
          const r = await nextEvent();
          wake = undefined;
          if (!r || r.done || stopped) break;
          pending = events.next();
          ready.push(...map(r.value));
        }
      } catch (err) {
        stop();
        throw err;
      }
      const done = stop();
      if (withdrawn) {
        const error = withdrawn;
        withdrawn = undefined;
        throw error;
      }
      return done;
    },
    async return(): Promise<IteratorResult<T>> {
      return stop();
    },
    async throw(err: unknown): Promise<IteratorResult<T>> {
      stop();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
