// A feed of a versioned state (a line, a leaderboard): the state now first, then only what is newer.
// Events published before the snapshot was read can arrive after it, and events from different
// instances can arrive out of order: a state whose version is not above the newest one taken is
// dropped, so a subscriber never goes back. A view equal to the last one sent (by `key`) is skipped.
import { liveFeed, type FeedRight } from "./liveFeed";

export interface Versioned<E, S, V> {
  /** The state an event carries for this feed (null or undefined: none, the event is ignored). */
  stateOf(event: E): S | null | undefined;
  /** The state now, read after subscribing, so a change made meanwhile arrives as an event. */
  snapshot(): Promise<S | null | undefined>;
  /** The state's place in the order of changes. */
  version(state: S): number;
  /** What this subscriber sees of a state (null or undefined: nothing of this one). */
  view(state: S): V | null | undefined;
  /** When given, a view whose key is the last sent view's is not sent again. */
  key?(view: V): string;
}

/**
 * Views of `source`'s states in version order, the snapshot's first. A state taken counts as the
 * newest even when it shows this subscriber nothing, so an older one arriving later is still dropped.
 */
export function versionedFeed<E, S, V>(source: AsyncIterable<E>, spec: Versioned<E, S, V>, right?: FeedRight): AsyncIterableIterator<V> {
  let newest = -Infinity;
  let lastKey: string | undefined;
  const take = (state: S | null | undefined): V | undefined => {
    if (state === null || state === undefined) return undefined;
    const version = spec.version(state);
    if (version <= newest) return undefined;
    newest = version;
    const view = spec.view(state);
    if (view === null || view === undefined) return undefined;
    if (spec.key) {
      const key = spec.key(view);
      if (key === lastKey) return undefined;
      lastKey = key;
    }
    return view;
  };
  return liveFeed(
    source,
    (event) => {
      const view = take(spec.stateOf(event));
      return view === undefined ? [] : [view];
    },
    async () => take(await spec.snapshot()),
    right,
  );
}
