// What the HTTP and WebSocket pipelines both say about a request: its id, the caller's address, and
// the metrics label of its operation (bounded by the schema, whatever documents callers invent).
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { OperationDefinitionNode } from "graphql";

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** The caller's `x-request-id` when it is a plausible id, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The caller's address: the first `x-forwarded-for` hop behind a trusted proxy, else the socket's peer. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = req.headers["x-forwarded-for"];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}

const rootFieldsCache = new WeakMap<OperationDefinitionNode, string>();

/**
 * The metrics label of a validated operation: its root field (a name the schema defines), or
 * "(several)": labels stay bounded by the schema, whatever documents callers invent.
 */
export function rootFields(op: OperationDefinitionNode): string {
  let label = rootFieldsCache.get(op);
  if (label === undefined) rootFieldsCache.set(op, (label = computeRootFields(op)));
  return label;
}

function computeRootFields(op: OperationDefinitionNode): string {
  const names = new Set(op.selectionSet.selections.map((s) => (s.kind === "Field" ? s.name.value : "...")));
  return names.size === 1 && !names.has("...") ? [...names][0] : "(several)";
}
