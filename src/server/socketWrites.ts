// One write per socket per event-loop turn. graphql-ws sends each message as its own WebSocket frame
// and waits for its write before the next: an answer over a socket is a `next` and a `complete`, two
// writes to the kernel (on loopback and in a container, a write also pays the receiver's TCP work).
// A socket's messages are held (the socket corked) until the end of the turn and leave together; the
// sender is told at once that a message is queued, so graphql-ws's `complete` joins its `next`.
import type { Socket } from "node:net";

/** Above this many bytes waiting on a socket, a sender waits for the write itself (a slow reader holds its own sender back). */
const QUEUED_LIMIT = 1 << 20;

/** Sockets corked this turn; uncorked together at its end (a flush is due whenever this is not empty). */
const corked = new Set<Socket>();

function flush(): void {
  const sockets = [...corked];
  corked.clear();
  for (const socket of sockets) socket.uncork();
}

type Send = (data: unknown, ...rest: unknown[]) => void;

/** Wraps a WebSocket's `send` (raw = its TCP socket) so its messages of one turn leave in one write. */
export function coalesceWrites(ws: { send: Send }, raw: Socket): void {
  const send = ws.send.bind(ws);
  ws.send = (data: unknown, ...rest: unknown[]) => {
    if (!corked.has(raw) && !raw.destroyed) {
      if (!corked.size) setImmediate(flush);
      raw.cork();
      corked.add(raw);
    }
    const cb = rest.find((r): r is (err?: Error) => void => typeof r === "function");
    const options = rest.find((r) => typeof r === "object" && r !== null) ?? {};
    if (!cb || raw.writableLength > QUEUED_LIMIT) return send(data, options, cb);
    // A failed write closes the socket, and graphql-ws ends the socket's operations on close.
    send(data, options, () => undefined);
    queueMicrotask(() => cb());
  };
}
