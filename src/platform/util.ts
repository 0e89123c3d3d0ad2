import { createConnection, createServer } from "node:net";

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]+)@/, "//***@");
}

export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0];
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on host:port. */
export async function waitForPort(port: number, host = "127.0.0.1", timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
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

/** A 24-hex-digit ObjectId string (what every id argument must be). */
export const isObjectId = (id: unknown): id is string => typeof id === "string" && /^[0-9a-f]{24}$/i.test(id);
