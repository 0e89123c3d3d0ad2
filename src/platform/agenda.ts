// Agenda 6, the durable job scheduler, on the application's MongoDB; its one index is built at
// start-up with the models' (AGENDA_INDEX), never by Agenda.
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import type { Connection } from "mongoose";
import type { CollectionIndex } from "./collections";

const JOBS_COLLECTION = "agendaJobs";

/**
 * The index Agenda's MongoDB backend would build on connecting (the same keys and name, its default
 * sort), built with the models' indexes instead (src/platform/collections.ts): Agenda builds it in
 * its constructor and, should that fail, never becomes ready.
 */
export const AGENDA_INDEX: CollectionIndex = {
  collection: JOBS_COLLECTION,
  keys: { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 },
  options: { name: "findAndLockNextJobIndex" },
};

/** Agenda 6 on the mongoose connection's database: one MongoDB driver, one pool. */
export function createAgenda(connection: Connection, processEveryMs: number): Agenda {
  if (!connection.db) throw new Error("mongoose is not connected");
  return new Agenda({
    backend: new MongoBackend({ mongo: connection.db, collection: JOBS_COLLECTION, ensureIndex: false }),
    processEvery: processEveryMs,
    defaultLockLifetime: 60_000,
    // Deadlines come in bursts (every invite of a busy hour); job definitions set their own share.
    maxConcurrency: 100,
  });
}
