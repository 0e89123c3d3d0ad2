// A GraphQL request over an undici pool, as the scenarios' clients send them over the keep-alive
// connections they hold: the HTTP status and the parsed answer.
import type { Pool } from "undici";

export interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: string; reason?: string } }[];
}

export async function postGraphQL<T>(pool: Pool, token: string, query: string, variables?: unknown): Promise<{ status: number; body: GraphQLAnswer<T> }> {
  const res = await pool.request({
    path: "/graphql",
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.statusCode, body: (await res.body.json()) as GraphQLAnswer<T> };
}
