// The per-process caches (src/platform/cache.ts): bounded by entry count with least-recently-used
// eviction and an optional expiry, like lru-cache's `max`, without allocating for `max` up front.
import { boundedCache } from "../../src/platform/cache";

it("holds at most max entries, evicting the least recently used", () => {
  const cache = boundedCache<string, number>(3);
  cache.set("a", 1).set("b", 2).set("c", 3);
  expect(cache.get("a")).toBe(1); // a is now the most recently used
  cache.set("d", 4);
  expect(cache.size).toBe(3);
  expect([...cache.keys()].sort()).toEqual(["a", "c", "d"]);
});

it("forgets an entry after its time to live", async () => {
  const cache = boundedCache<string, number>(10, 50);
  cache.set("a", 1);
  expect(cache.get("a")).toBe(1);
  await new Promise((r) => setTimeout(r, 80));
  expect(cache.get("a")).toBeUndefined();
});

it("takes memory for what it holds, not for its bound", () => {
  const heap = () => process.memoryUsage().heapUsed;
  const before = heap();
  const caches = Array.from({ length: 20 }, () => boundedCache<string, number>(200_000, 3_600_000));
  // lru-cache given max: 200,000 and a TTL: 122 MB of heap for these 20, before anything is cached.
  expect(heap() - before).toBeLessThan(20 * 1024 * 1024);
  expect(caches).toHaveLength(20);
});
