// versionedFeed (src/events/versionedFeed.ts), under the line and leaderboard subscriptions: the
// state now first, then only newer states (a late or replayed event never takes a subscriber back),
// and a view equal to the last one sent is not sent again.
import { versionedFeed, type Versioned } from "../../src/events/versionedFeed";

interface State {
  version: number;
  label: string;
}

/** A topic whose events the test publishes; `subscribed` once the feed has asked for the first. */
function topic<E>() {
  const queue: E[] = [];
  let wake: (() => void) | undefined;
  const t = {
    subscribed: false,
    ended: false,
    publish(event: E) {
      queue.push(event);
      wake?.();
    },
    [Symbol.asyncIterator](): AsyncIterator<E> {
      return {
        next: async () => {
          t.subscribed = true;
          while (!queue.length && !t.ended) await new Promise<void>((r) => (wake = r));
          return t.ended ? { done: true, value: undefined } : { done: false, value: queue.shift()! };
        },
        return: async () => {
          t.ended = true;
          wake?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
  return t;
}

const s = (version: number, label = `v${version}`): State => ({ version, label });

function spec(snapshot: () => Promise<State | null>, extra: Partial<Versioned<State | null, State, string>> = {}): Versioned<State | null, State, string> {
  return { stateOf: (e) => e, snapshot, version: (st) => st.version, view: (st) => st.label, ...extra };
}

/** The next `n` views, failing if they do not come within a second. */
async function take(feed: AsyncIterator<string>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await Promise.race([feed.next(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${out.join(",")}`)), 1000))]);
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe("versionedFeed", () => {
  it("sends the snapshot first, then newer states in the order they come", async () => {
    const t = topic<State | null>();
    const feed = versionedFeed(t, spec(async () => s(1)));
    t.publish(s(2));
    t.publish(s(3));
    expect(await take(feed, 3)).toEqual(["v1", "v2", "v3"]);
    await feed.return!();
    expect(t.ended).toBe(true);
  });

  it("drops states not newer than the newest taken: replays, and late events from before the snapshot", async () => {
    const t = topic<State | null>();
    const feed = versionedFeed(t, spec(async () => s(5)));
    for (const v of [3, 5, 6, 4, 6, 8, 7]) t.publish(s(v));
    t.publish(s(9));
    expect(await take(feed, 4)).toEqual(["v5", "v6", "v8", "v9"]);
    await feed.return!();
  });

  it("ignores events that carry no state, and sends nothing first when there is no snapshot", async () => {
    const t = topic<State | null>();
    const feed = versionedFeed(t, spec(async () => null));
    t.publish(null);
    t.publish(s(0));
    t.publish(null);
    t.publish(s(1));
    expect(await take(feed, 2)).toEqual(["v0", "v1"]);
    await feed.return!();
  });

  it("skips a view equal to the last one sent, but sends it again after a different one", async () => {
    const t = topic<State | null>();
    const feed = versionedFeed(t, spec(async () => s(1, "open"), { key: (view) => view }));
    t.publish(s(2, "open"));
    t.publish(s(3, "closed"));
    t.publish(s(4, "closed"));
    t.publish(s(5, "open"));
    t.publish(s(6, "done"));
    expect(await take(feed, 4)).toEqual(["open", "closed", "open", "done"]);
    await feed.return!();
  });

  it("counts a state that shows this subscriber nothing as taken: an older one coming later is still dropped", async () => {
    const t = topic<State | null>();
    const feed = versionedFeed(t, spec(async () => s(1), { view: (st) => (st.label === "hidden" ? null : st.label) }));
    t.publish(s(3, "hidden"));
    t.publish(s(2));
    t.publish(s(4));
    expect(await take(feed, 2)).toEqual(["v1", "v4"]);
    await feed.return!();
  });

  it("subscribes before reading the snapshot: changes made during the read are not lost, stale ones are dropped, the snapshot still comes first", async () => {
    const t = topic<State | null>();
    let subscribedBeforeRead = false;
    const feed = versionedFeed(
      t,
      spec(async () => {
        subscribedBeforeRead = t.subscribed;
        // Published while the state is being read: 7 is in the state read, 8 and 9 came after it.
        t.publish(s(7));
        t.publish(s(8));
        await new Promise((r) => setTimeout(r, 20));
        t.publish(s(9));
        return s(7);
      }),
    );
    expect(await take(feed, 3)).toEqual(["v7", "v8", "v9"]);
    expect(subscribedBeforeRead).toBe(true);
    await feed.return!();
  });

  it("ends with the error of its right when the right is withdrawn", async () => {
    const t = topic<State | null>();
    let end: ((error: Error) => void) | undefined;
    let released = false;
    const right = {
      attach: (e: (error: Error) => void) => {
        end = e;
        return () => void (released = true);
      },
    };
    const feed = versionedFeed(t, spec(async () => s(1)), right);
    expect(await take(feed, 1)).toEqual(["v1"]);
    const next = feed.next();
    end!(new Error("withdrawn"));
    await expect(next).rejects.toThrow("withdrawn");
    expect(released).toBe(true);
    expect((await feed.next()).done).toBe(true);
  });
});
