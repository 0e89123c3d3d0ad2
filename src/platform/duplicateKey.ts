// The one place that tells a unique-key violation from other write failures. Each server says it
// its own way:
// - MongoDB: code 11000 (11001 and 12582 from old servers and mongos), codeName "DuplicateKey",
//   message "E11000 duplicate key error collection: db.c index: code_1 dup key: { ... }", with
//   `keyPattern` / `keyValue`;
// - bulk writes: a MongoBulkWriteError whose `writeErrors` (an array, or one error) carry the codes;
// - FerretDB 1.x: 11000 on inserts, but an update or findAndModify that breaks a unique index answers
//   code 1 (InternalError) with PostgreSQL's "duplicate key value violates unique constraint
//   \"<collection>_<hash>_<index>_<hash>_idx\" (SQLSTATE 23505)";
// - drivers and mongoose may wrap the server's error (`cause`, `errorResponse`).

const DUPLICATE_CODES = new Set([11000, 11001, 12582]);
const DUPLICATE_MESSAGE = /E1100[01] duplicate key|duplicate key value violates unique constraint|SQLSTATE 23505/i;
/** MongoDB names the index: "... index: code_1 dup key: ...". */
const MONGO_INDEX = /index: (\S+) dup key/;
/** FerretDB 1.x names PostgreSQL's constraint. */
const PG_CONSTRAINT = /unique constraint "([^"]+)"/;

export interface DuplicateKey {
  /** The index as the server named it (MongoDB: "code_1"; FerretDB 1.x: its PostgreSQL constraint), if it did. */
  index?: string;
  /** The indexed fields, when the server said (MongoDB's `keyPattern`). */
  fields?: string[];
}

/** The unique key `err` broke, or null if `err` is not a duplicate-key error. */
export function duplicateKeyOf(err: unknown): DuplicateKey | null {
  return find(err, 0);
}

export function isDuplicateKey(err: unknown): boolean {
  return duplicateKeyOf(err) !== null;
}

function find(err: unknown, depth: number): DuplicateKey | null {
  if (!err || typeof err !== "object" || depth > 4) return null;
  const e = err as Record<string, unknown>;
  // A bulk write is a duplicate only if every failed write was one (some may have failed otherwise).
  const writeErrors = e.writeErrors === undefined ? [] : Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
  if (writeErrors.length) {
    const each = writeErrors.map((w) => find(w, depth + 1));
    return each.every((d) => d !== null) ? each[0] : null;
  }
  const message = [e.errmsg, e.message].find((m): m is string => typeof m === "string") ?? "";
  if (DUPLICATE_CODES.has(Number(e.code)) || e.codeName === "DuplicateKey" || DUPLICATE_MESSAGE.test(message)) {
    const pattern = e.keyPattern && typeof e.keyPattern === "object" ? Object.keys(e.keyPattern) : undefined;
    const index = MONGO_INDEX.exec(message)?.[1] ?? PG_CONSTRAINT.exec(message)?.[1];
    return { ...(index ? { index } : {}), ...(pattern?.length ? { fields: pattern } : {}) };
  }
  return find(e.errorResponse, depth + 1) ?? find(e.err, depth + 1) ?? find(e.cause, depth + 1);
}
