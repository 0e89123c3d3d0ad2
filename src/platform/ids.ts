// Ids as clients send them.

/** A 24-hex-digit ObjectId string (what every id argument must be). */
export const isObjectId = (id: unknown): id is string => typeof id === "string" && /^[0-9a-f]{24}$/i.test(id);
