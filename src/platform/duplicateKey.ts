// The one place that tells a unique-key violation from other write failures. Each server says it
// its own way:
// - MongoDB: code 11000 (11001 and 12582 from old servers and mongos), codeName "DuplicateKey",
//   message "E11000 duplicate key error collection: db.c index: code_1 dup key: { ... }", with
//   `keyPattern` / `keyValue`;
// - bulk writes: a MongoBulkWriteError whose `writeErrors` (an array, or one error) carry the codes;
// - FerretDB 2 on DocumentDB: 11000 "Duplicate key violation on the requested collection: Index
//   'code_1'" on inserts and updates, but a findAndModify that breaks a unique index answers code 1
//   (InternalError) with PostgreSQL's "conflicting key value violates exclusion constraint
//   \"documents_rum_index_<n>\"" (DocumentDB's unique indexes are exclusion constraints);
// - drivers and mongoose may wrap the server's error (`cause`, `errorResponse`).

const DUPLICATE_CODES = new Set([11000, 11001, 12582]);
const DUPLICATE_MESSAGE = /E1100[01] duplicate key|Duplicate key violation|conflicting key value violates exclusion constraint/i;
/** MongoDB names the index ("... index: code_1 dup key: ..."), and so does FerretDB ("... Index 'code_1'"). */
const INDEX_NAME = /index: (\S+) dup key|Index '([^']+)'/;

export interface DuplicateKey {
  /** The index as the server named it ("code_1"), if it did. */
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

/**
 * The positions (in the documents sent) of an unordered bulk write's writes that broke a unique key,
 * when every write that failed did; null otherwise, and when the error names no failed write (the
 * driver wraps a failure to reach the server in a bulk write error too).
 */
export function duplicateWrites(err: unknown): number[] | null {
  const writeErrors = (err as { writeErrors?: unknown } | null)?.writeErrors;
  if (writeErrors === undefined) return null;
  const errors = (Array.isArray(writeErrors) ? writeErrors : [writeErrors]) as { index: number }[];
  if (!errors.length || !errors.every(isDuplicateKey)) return null;
  return errors.map((w) => w.index);
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
    const named = INDEX_NAME.exec(message);
    const index = named?.[1] ?? named?.[2];
    return { ...(index ? { index } : {}), ...(pattern?.length ? { fields: pattern } : {}) };
  }
  return find(e.errorResponse, depth + 1) ?? find(e.err, depth + 1) ?? find(e.cause, depth + 1);
}
