// DataLoader helpers: lookups by id batched within a tick, cached in the process for catalogue data;
// a failed load is an error, never a missing value.
import DataLoader from "dataloader";
import { boundedCache } from "./cache";

/**
 * The values found for `ids` (missing ones left out), in order. A failed load (MongoDB unreachable)
 * is thrown: it is not a value fewer.
 */
export async function loadExisting<V>(loader: DataLoader<string, V | null>, ids: readonly string[]): Promise<V[]> {
  const values = await loader.loadMany(ids);
  const failed = values.find((v) => v instanceof Error);
  if (failed) throw failed;
  return values.filter((v): v is V => v !== null && !(v instanceof Error));
}

/**
 * Batches lookups by id within a tick and keeps results for `ttlMs` in this process: for catalogue
 * data that every request shows (courses, users) and that changes rarely. `clear(id)` after writes.
 */
export function cachedLoader<V extends object>(
  load: (ids: readonly string[]) => Promise<Map<string, V>>,
  opts: { max: number; ttlMs: number },
): DataLoader<string, V | null> {
  const cache = boundedCache<string, Promise<V | null>>(opts.max, opts.ttlMs);
  return new DataLoader<string, V | null>(
    async (ids) => {
      const found = await load(ids);
      return ids.map((id) => found.get(id) ?? null);
    },
    { cacheMap: cache as unknown as Map<string, Promise<V | null>>, maxBatchSize: 500 },
  );
}
