import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import type { Connection } from "mongoose";

/** Agenda 6 on the mongoose connection's database: one MongoDB driver, one pool. */
export function createAgenda(connection: Connection, processEveryMs: number): Agenda {
  if (!connection.db) throw new Error("mongoose is not connected");
  return new Agenda({
    backend: new MongoBackend({ mongo: connection.db, collection: "agendaJobs" }),
    processEvery: processEveryMs,
    defaultLockLifetime: 60_000,
    // Deadlines come in bursts (every invite of a busy hour); job definitions set their own share.
    maxConcurrency: 100,
  });
}
