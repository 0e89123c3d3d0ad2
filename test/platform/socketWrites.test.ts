// coalesceWrites (src/server/socketWrites.ts): the messages a WebSocket sends in one event-loop turn
// leave in one write to the kernel, and a slow reader still holds its sender back. A real ws server
// and client on loopback; the server socket's writes are counted where Node hands them to the kernel.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { coalesceWrites } from "../../src/server/socketWrites";

let http: Server;
let wss: WebSocketServer;
let url: string;

beforeAll(async () => {
  http = createServer();
  wss = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  wss.close();
  await new Promise((r) => http.close(r));
});

/** A connected pair: the server side (wrapped) with a count of its socket's writes, and the client. */
async function pair() {
  const accepted = new Promise<{ ws: WebSocket; raw: Socket }>((resolve) => wss.once("connection", (ws, req) => resolve({ ws, raw: req.socket })));
  const client = new WebSocket(url);
  await new Promise((r) => client.once("open", r));
  const { ws, raw } = await accepted;
  coalesceWrites(ws as unknown as Parameters<typeof coalesceWrites>[0], raw);
  const counted = raw as unknown as { _write: (...a: unknown[]) => void; _writev?: (...a: unknown[]) => void };
  const writes = { count: 0 };
  for (const name of ["_write", "_writev"] as const) {
    const original = counted[name]?.bind(raw);
    if (original) counted[name] = (...a: unknown[]) => (writes.count++, original(...a));
  }
  return { ws, raw, client, writes };
}

const received = (client: WebSocket, n: number) =>
  new Promise<string[]>((resolve) => {
    const got: string[] = [];
    client.on("message", (m) => got.push(String(m)) === n && resolve(got));
  });

it("a message sent from the previous one's callback (graphql-ws's next, then complete) leaves in the same write", async () => {
  const { ws, client, writes } = await pair();
  const both = received(client, 2);
  await new Promise<void>((done) => ws.send('{"type":"next"}', () => ws.send('{"type":"complete"}', () => done())));
  expect(await both).toEqual(['{"type":"next"}', '{"type":"complete"}']);
  expect(writes.count).toBe(1);
  // Without the wrapper the same two messages take two writes (the second waits for the first's callback).
  const plain = await pair();
  const send = WebSocket.prototype.send;
  (plain.ws as unknown as { send: typeof send }).send = send.bind(plain.ws);
  const again = received(plain.client, 2);
  await new Promise<void>((done) => plain.ws.send("a", () => plain.ws.send("b", () => done())));
  await again;
  expect(plain.writes.count).toBe(2);
  client.close();
  plain.client.close();
});

it("a reader that stops reading holds its sender back: about 1 MB waits on the socket, not everything sent", async () => {
  const { ws, raw, client } = await pair();
  const clientSocket = (client as unknown as { _socket: Socket })._socket;
  clientSocket.pause();
  const chunk = "x".repeat(256 * 1024);
  let sent = 0;
  const sending = (async () => {
    for (let i = 0; i < 400; i++) {
      await new Promise<void>((r) => ws.send(chunk, () => r()));
      sent++;
    }
  })();
  await new Promise((r) => setTimeout(r, 500));
  // 100 MB offered; the kernel's buffers take a few MB, the socket's own queue stays near the limit.
  expect(sent).toBeLessThan(100);
  expect(raw.writableLength).toBeLessThan(2 * 1024 * 1024);
  clientSocket.resume();
  await sending;
  expect(sent).toBe(400);
  client.close();
});
