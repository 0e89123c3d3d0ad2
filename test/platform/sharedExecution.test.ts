// Shared subscription execution (src/server/sharedExecution.ts; the marks, src/events/sharing.ts): a
// payload marked with shareAs() is executed once per (key, operation, variables) however many
// subscriptions receive it; unmarked payloads run per subscription; the kept results are bounded;
// ending a subscription ends its source.
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from "graphql";
import { MessageType, stringifyMessage } from "graphql-ws";
import { shareAs, sharedPayload } from "../../src/events/sharing";
import { createSharedSubscribe, sharedMessagePayload, spliceSharedResults } from "../../src/server/sharedExecution";

let resolved = 0;
const sources: { ended: boolean; push(v: unknown): void }[] = [];

function source(): AsyncIterableIterator<unknown> {
  const queue: unknown[] = [];
  let wake: (() => void) | undefined;
  const state = { ended: false, push: (v: unknown) => (queue.push(v), wake?.()) };
  sources.push(state);
  return {
    async next() {
      while (!queue.length && !state.ended) await new Promise<void>((r) => (wake = r));
      return state.ended ? { done: true, value: undefined } : { done: false, value: queue.shift() };
    },
    async return() {
      state.ended = true;
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLInt } } }),
  subscription: new GraphQLObjectType({
    name: "Subscription",
    fields: {
      changed: {
        type: new GraphQLObjectType({ name: "Change", fields: { v: { type: GraphQLInt }, label: { type: GraphQLString } } }),
        args: { first: { type: GraphQLInt } },
        subscribe: () => source(),
        resolve: (payload: { v: number }, args: { first?: number }) => {
          resolved++;
          return { v: payload.v, label: `first ${args.first ?? "-"}` };
        },
      },
    },
  }),
});

const document = parse("subscription ($first: Int) { changed(first: $first) { v label } }");

async function subscribe(subscribeFn: ReturnType<typeof createSharedSubscribe>, first: number) {
  return (await subscribeFn({ schema, document, variableValues: { first } })) as AsyncIterableIterator<{ data: unknown }>;
}

beforeEach(() => {
  resolved = 0;
  sources.length = 0;
});

it("executes a marked payload once for every subscription with the same operation and variables", async () => {
  const shared = createSharedSubscribe();
  const subs = await Promise.all([1, 1, 1, 2].map((first) => subscribe(shared, first)));
  const nexts = subs.map((s) => s.next());
  for (const s of sources) s.push(shareAs({ v: 7 }, "change:7"));
  const results = await Promise.all(nexts);
  expect(results.map((r) => r.value.data)).toEqual([
    { changed: { v: 7, label: "first 1" } },
    { changed: { v: 7, label: "first 1" } },
    { changed: { v: 7, label: "first 1" } },
    { changed: { v: 7, label: "first 2" } },
  ]);
  expect(resolved).toBe(2); // once for first: 1, once for first: 2
  // The three subscriptions with first: 1 got the very same result.
  expect(results[0].value).toBe(results[1].value);
});

it("runs unmarked payloads per subscription", async () => {
  const shared = createSharedSubscribe();
  const subs = await Promise.all([1, 1].map((first) => subscribe(shared, first)));
  const nexts = subs.map((s) => s.next());
  for (const s of sources) s.push({ v: 1 });
  await Promise.all(nexts);
  expect(resolved).toBe(2);
});

it("keeps at most `max` results and none older than the TTL", async () => {
  const shared = createSharedSubscribe(2, 50);
  const [a] = [await subscribe(shared, 1)];
  const [src] = sources;
  const deliver = async (key: string) => {
    const next = a.next();
    src.push(shareAs({ v: 1 }, key));
    await next;
  };
  await deliver("k1");
  await deliver("k2");
  await deliver("k3"); // k1 is evicted: max 2
  expect(resolved).toBe(3);
  await deliver("k1");
  expect(resolved).toBe(4);
  await deliver("k3"); // still kept
  expect(resolved).toBe(4);
  await new Promise((r) => setTimeout(r, 80));
  await deliver("k3"); // older than the TTL: executed again
  expect(resolved).toBe(5);
});

it("ends its source when the subscription ends, also while waiting for an event", async () => {
  const shared = createSharedSubscribe();
  const sub = await subscribe(shared, 1);
  const pending = sub.next();
  await sub.return!();
  expect(await pending).toEqual({ done: true, value: undefined });
  expect(sources[0].ended).toBe(true);
});

it("sharedPayload builds a key's payload once per event object, marked for shared execution", async () => {
  let built = 0;
  const build = () => ({ v: ++built });
  const event = { version: 7 };
  const first = sharedPayload(event, "k:7", build);
  // Every subscriber of the same event asking for the same key gets the one payload.
  expect(sharedPayload(event, "k:7", build)).toBe(first);
  expect(built).toBe(1);
  // Another key (another viewer's view) or another event is built anew.
  expect(sharedPayload(event, "k:7:mine", build)).not.toBe(first);
  expect(sharedPayload({ version: 7 }, "k:7", build)).not.toBe(first);
  expect(built).toBe(3);
  // And it executes once for all the subscriptions that receive it.
  const shared = createSharedSubscribe();
  const subs = [await subscribe(shared, 1), await subscribe(shared, 1)];
  const nexts = subs.map((s) => s.next());
  for (const src of sources) src.push(sharedPayload(event, "k:7", build));
  await Promise.all(nexts);
  expect(resolved).toBe(1);
});

it("sends a shared result's bytes, serialized once, in each socket's own text message; everything else unchanged", async () => {
  const shared = createSharedSubscribe();
  const subs = await Promise.all([1, 1].map((first) => subscribe(shared, first)));
  const nexts = subs.map((s) => s.next());
  for (const src of sources) src.push(shareAs({ v: 9 }, "change:9"));
  const [a, b] = (await Promise.all(nexts)).map((r) => r.value);
  const payload = sharedMessagePayload(a as never);
  expect(payload).toBeDefined();
  expect(sharedMessagePayload(b as never)).toBe(payload); // the same bytes for both

  // What graphql-ws does for each subscriber: stringify its message, then send it at once.
  const sent: { data: unknown; rest: unknown[] }[] = [];
  const socket = { send: (data: unknown, ...rest: unknown[]) => void sent.push({ data, rest }) };
  spliceSharedResults(socket);
  const done = () => undefined;
  for (const id of ["sub-1", "sub-2"]) socket.send(stringifyMessage({ id, type: MessageType.Next, payload: payload as never }), done);
  socket.send(stringifyMessage({ id: "sub-3", type: MessageType.Complete }), done);

  expect(sent.map((m) => JSON.parse(String(m.data)))).toEqual([
    { id: "sub-1", type: "next", payload: { data: { changed: { v: 9, label: "first 1" } } } },
    { id: "sub-2", type: "next", payload: { data: { changed: { v: 9, label: "first 1" } } } },
    { id: "sub-3", type: "complete" },
  ]);
  expect(sent[0].rest).toEqual([{ binary: false }, done]); // a text frame, as graphql-ws clients expect
  expect(sent[2]).toEqual({ data: '{"id":"sub-3","type":"complete"}', rest: [done] });
  // A result that was not shared is left to graphql-ws.
  const unshared = createSharedSubscribe();
  const sub = await subscribe(unshared, 1);
  const next = sub.next();
  sources.at(-1)!.push({ v: 1 });
  expect(sharedMessagePayload((await next).value as never)).toBeUndefined();
});
