// Set-up helpers shared by the scenarios (not timed): requests that must succeed, made many at once.
import { mapConcurrently } from "../../src/platform/async";
import { sleep } from "./measure";

type Answer<T> = { data: T | null | undefined; errors?: unknown };

/**
 * A set-up request that must succeed; its data. Given as a function, it is retried while it answers
 * SERVICE_UNAVAILABLE ("try again": a busy lock), as a client would. A nullable field (callNext)
 * comes back null beside its error, so data alone is no success.
 */
export async function must<T>(request: Promise<Answer<T>> | (() => Promise<Answer<T>>)): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const res = await (typeof request === "function" ? request() : request);
    const errors = Array.isArray(res.errors) ? res.errors : res.errors ? [res.errors] : [];
    if (res.data && !errors.length) return res.data;
    const retry = typeof request === "function" && attempt < 5 && JSON.stringify(errors).includes("SERVICE_UNAVAILABLE");
    if (!retry) throw new Error(`set-up request failed: ${JSON.stringify(errors)}`);
    await sleep(200 * attempt);
  }
}

/** Set-up requests many at once: `make(0 .. n-1)`, at most `concurrency` at a time, the results in order. */
export const inParallel = mapConcurrently;
