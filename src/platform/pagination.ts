// Keyset pagination by _id: stable under inserts, one indexed range scan per page.
import { Types, type Model } from "mongoose";
import { fail } from "./errors";

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
}

export const encodeCursor = (id: Types.ObjectId | string) => Buffer.from(`id:${String(id)}`).toString("base64url");

export function decodeCursor(cursor: string): Types.ObjectId {
  const raw = Buffer.from(cursor, "base64url").toString();
  const hex = raw.startsWith("id:") ? raw.slice(3) : "";
  if (!Types.ObjectId.isValid(hex) || hex.length !== 24) throw fail("BAD_USER_INPUT", "Invalid cursor", "INVALID_CURSOR");
  return new Types.ObjectId(hex);
}

export async function pageById<T extends { _id: Types.ObjectId }>(
  model: Model<any>,
  filter: Record<string, unknown>,
  first: number,
  after?: string | null,
): Promise<Page<T>> {
  const query = after ? { ...filter, _id: { $gt: decodeCursor(after) } } : filter;
  const rows = (await model.find(query).sort({ _id: 1 }).limit(first + 1).lean()) as unknown as T[];
  return { items: rows.slice(0, first), hasNextPage: rows.length > first };
}
