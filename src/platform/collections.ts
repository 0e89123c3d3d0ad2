// The database's indexes, built once at start-up before anything reads or writes.
//
// A unique index must exist before the first write it guards, so start-up builds every index and
// fails if one cannot be built, rather than serve without it (mongoose's automatic build only
// reports a failure as an event). Collections come into being with their first index, as MongoDB
// creates them on first use, rather than by a `create` command of their own. Instances that start
// together on a new database race here, and the stand-in (FerretDB 2.5 + DocumentDB) answers
// concurrent collection creation and index builds with "deadlock detected" now and then (three
// connections building every index in eight new databases: one or two deadlocks per run), so a
// failure that only says the race was lost is retried.
import type { CreateIndexesOptions, IndexSpecification } from "mongodb";
import type { Connection } from "mongoose";
import { setTimeout as sleep } from "node:timers/promises";

/** An index that code outside the mongoose models needs (Agenda's job collection). */
export interface CollectionIndex {
  collection: string;
  keys: IndexSpecification;
  options: CreateIndexesOptions;
}

/** Attempts per index build; the waits between them double from RETRY_FIRST_WAIT_MS, with jitter. */
const ATTEMPTS = 8;
const RETRY_FIRST_WAIT_MS = 25;

/** Builds every model's indexes on `connection`, and `extra`, retrying what a concurrent start-up made fail. */
export async function buildIndexes(connection: Connection, extra: readonly CollectionIndex[] = []): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error("mongoose is not connected");
  await Promise.all([
    ...Object.values(connection.models).map((model) => retryTransient(() => model.createIndexes())),
    ...extra.map((index) => retryTransient(() => db.collection(index.collection).createIndex(index.keys, index.options))),
  ]);
}

/** Whether a failed DDL command may simply be run again: it lost a race, nothing is wrong with it. */
export function isTransient(e: unknown): boolean {
  const err = e as { code?: number; message?: string; hasErrorLabel?: (label: string) => boolean };
  return (
    err?.code === 112 || // WriteConflict
    /deadlock detected/i.test(err?.message ?? "") || // the stand-in: PostgreSQL's 40P01, as code 1
    err?.hasErrorLabel?.("TransientTransactionError") === true
  );
}

async function retryTransient<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= ATTEMPTS || !isTransient(e)) throw e;
      await sleep(RETRY_FIRST_WAIT_MS * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}
