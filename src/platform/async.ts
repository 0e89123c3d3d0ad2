// Promise helpers: a time limit, bounded concurrency, and one shared run of concurrent identical loads.

/** `p`, or a rejection with `message` if it has not settled after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** `make(0 .. n-1)`, at most `concurrency` at a time; the results in order (the first error rejects). */
export async function mapConcurrently<T>(n: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await make(i);
      }
    }),
  );
  return out;
}

/** Runs `work` over `items` with at most `parallel` at a time; resolves when all settled (errors to `onError`). */
export async function forEachConcurrently<T>(items: T[], parallel: number, work: (item: T) => Promise<unknown>, onError: (err: unknown, item: T) => void): Promise<void> {
  await mapConcurrently(items.length, parallel, (i) => work(items[i]).catch((err) => onError(err, items[i])));
}

/**
 * Concurrent calls with the same key share one run of `work` (a load of what several requests of
 * this process found missing at once); the next call after it settles runs it again.
 */
export function singleFlight<T>(): (key: string, work: () => Promise<T>) => Promise<T> {
  const running = new Map<string, Promise<T>>();
  return (key, work) => {
    let p = running.get(key);
    if (!p) {
      p = work().finally(() => running.delete(key));
      running.set(key, p);
    }
    return p;
  };
}
