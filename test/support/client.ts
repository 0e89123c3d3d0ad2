// A GraphQL client as a frontend would be: HTTP POST with JSON, graphql-ws for subscriptions.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type GraphQLFormattedError } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { Endpoint } from "./cluster";

export interface GqlResponse<T> {
  status: number;
  data: T | null | undefined;
  errors?: GraphQLFormattedError[];
}

const printed = new WeakMap<object, string>();
export function source(doc: TypedDocumentNode<any, any>): string {
  let s = printed.get(doc);
  if (!s) printed.set(doc, (s = print(doc)));
  return s;
}

export async function gql<TData, TVars>(
  server: Endpoint,
  doc: TypedDocumentNode<TData, TVars>,
  variables?: TVars,
  token?: string,
  headers: Record<string, string> = {},
): Promise<GqlResponse<TData>> {
  return rawPost<TData>(server, JSON.stringify({ query: source(doc), variables }), token, headers);
}

export async function rawPost<T = unknown>(
  server: Endpoint,
  body: string,
  token?: string,
  headers: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(server.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body,
  });
  const text = await res.text();
  let json: { data?: T | null; errors?: GraphQLFormattedError[] };
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON response ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, data: json.data, errors: json.errors };
}

/** The first error's code and reason, the way tests assert on them. */
export const errorOf = (r: GqlResponse<unknown>) => ({
  code: r.errors?.[0]?.extensions?.code,
  reason: r.errors?.[0]?.extensions?.reason,
});

export function wsClient(server: Endpoint, token?: string, extra: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  return createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    onNonLazyError: () => undefined,
    ...extra,
  });
}

/**
 * A query or mutation sent over a graphql-ws socket (as a client that keeps one socket for all its
 * operations sends it): resolves with its one result, or with the errors the server refused it with.
 */
export function wsExecute<TData, TVars>(
  client: Client,
  doc: TypedDocumentNode<TData, TVars>,
  variables?: TVars,
): Promise<Omit<GqlResponse<TData>, "status">> {
  return new Promise((resolve) => {
    let result: Omit<GqlResponse<TData>, "status"> = { data: undefined };
    client.subscribe<TData>(
      { query: source(doc), variables: variables as Record<string, unknown> | undefined },
      {
        next: (value) => (result = { data: value.data, errors: value.errors as GraphQLFormattedError[] | undefined }),
        error: (e) => resolve({ data: undefined, errors: Array.isArray(e) ? e : [{ message: String((e as Error)?.message ?? e) }] }),
        complete: () => resolve(result),
      },
    );
  });
}

/** A running subscription that buffers what arrives; `next()` waits for the following item. */
export interface LiveSubscription<T> {
  received: T[];
  errors: unknown[];
  next(timeoutMs?: number): Promise<T>;
  /** Resolves when the server completes or errors the subscription. */
  ended: Promise<void>;
  unsubscribe(): void;
}

export function subscribe<TData, TVars>(
  client: Client,
  doc: TypedDocumentNode<TData, TVars>,
  variables?: TVars,
): LiveSubscription<TData> {
  const received: TData[] = [];
  const errors: unknown[] = [];
  const waiters: Array<(v: TData) => void> = [];
  let cursor = 0;
  let endResolve!: () => void;
  const ended = new Promise<void>((r) => (endResolve = r));
  const unsubscribe = client.subscribe<TData>(
    { query: source(doc), variables: variables as Record<string, unknown> | undefined },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) {
          received.push(value.data);
          const w = waiters.shift();
          if (w) {
            cursor++;
            w(value.data);
          }
        }
      },
      error: (e) => {
        errors.push(e);
        endResolve();
      },
      complete: () => endResolve(),
    },
  );
  return {
    received,
    errors,
    ended,
    unsubscribe,
    next(timeoutMs = 5000) {
      if (cursor < received.length) return Promise.resolve(received[cursor++]);
      return new Promise<TData>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no subscription event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v);
        });
      });
    },
  };
}

/** Resolves once the client has an acknowledged connection (graphql-ws `connected`). */
export function connected(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const off1 = client.on("connected", () => {
      off1();
      off2();
      resolve();
    });
    const off2 = client.on("closed", (e) => {
      off1();
      off2();
      reject(e);
    });
  });
}
