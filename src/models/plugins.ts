// Applied to every schema (each model file imports this first: mongoose applies global plugins when
// a model is compiled).
//
// `find` answers in one batch: a result larger than the driver's default first batch (101
// documents) leaves a cursor open on the server until the driver's getMore. FerretDB holds one of
// its backend (PostgreSQL) connections per open cursor, so enough concurrent large reads (e.g. 50
// enrollments hydrating their course at once) hold its whole pool while the getMores that would
// release it wait for a client connection: FerretDB deadlocks. On MongoDB a large first batch is
// harmless (a reply is capped at 16 MiB either way).
import mongoose from "mongoose";

export const FIND_BATCH_SIZE = 100_000;

mongoose.plugin((schema) => {
  schema.pre("find", function oneBatch() {
    if (this.getOptions().batchSize === undefined) this.batchSize(FIND_BATCH_SIZE);
  });
});
