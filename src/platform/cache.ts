// The server's per-process caches: one kind for all of them, bounded in entries (boundedCache).
import { LRUCache } from "lru-cache";

/**
 * A least-recently-used cache of at most `max` entries (each expiring after `ttlMs`, if given) whose
 * memory follows what it holds. Given `max`, lru-cache allocates its index arrays for all `max`
 * entries up front (~8 MB for 200,000 with a TTL, whether or not anything is ever cached); bounded
 * by size at one unit per entry instead, it grows them as it fills. Every per-process cache of the
 * server is made here.
 */
export function boundedCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(max: number, ttlMs?: number): LRUCache<K, V> {
  return new LRUCache<K, V>({ maxSize: max, sizeCalculation: () => 1, ...(ttlMs ? { ttl: ttlMs } : {}) });
}
