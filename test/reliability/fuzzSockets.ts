// Fuzzing below and beside HTTP: garbage straight on raw TCP, and malformed or hostile graphql-ws
// traffic (before and instead of connection_init, hostile inits and operations, wrong subprotocols).
import { connect as tcpConnect } from "node:net";
import WebSocket from "ws";
import { forEachConcurrently } from "../../src/platform/async";
import type { TestServer } from "../support/server";
import { HOSTILE_STRINGS, int, json, operation, pick, wrongValue, type Rng } from "./fuzzCases";
import { BODY_LIMIT, FORGED_TOKENS, hostileVars, NOWHERE, stringLeaves, validVars, type Fuzz } from "./fuzzSupport";
import { PERSONAS, type Persona } from "./world";

/** Garbage straight on the socket: the HTTP parser refuses it (400) or the connection just closes. */
export async function rawTcp(server: TestServer, r: Rng, n: number): Promise<{ sent: number; answers: string[] }> {
  const payloads = [
    "GARBAGE\r\n\r\n",
    "GET /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
    "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "GET / HTTP/9.9\r\n\r\n",
    "GET /graphql HTTP/1.1\r\nHost: x\r\n" + "X-Big: " + "h".repeat(20_000) + "\r\n\r\n",
    "\u0000\u0001\u0002\u0003",
    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\n\r\nBROKEN\r\n\r\n",
  ];
  const answers: string[] = [];
  const one = (payload: string) =>
    new Promise<void>((resolve) => {
      const socket = tcpConnect(server.port, "127.0.0.1");
      let got = "";
      const timer = setTimeout(() => socket.destroy(), 3000);
      socket.on("data", (d) => (got += d.toString("latin1")));
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearTimeout(timer);
        answers.push(got.split("\r\n")[0] ?? "");
        resolve();
      });
      socket.write(payload);
      if (r() < 0.5) socket.end();
    });
  for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => one(pick(r, payloads))));
  return { sent: n, answers };
}

interface WsOutcome {
  messages: number;
  sockets: number;
  closeCodes: Map<number, number>;
  problems: string[];
}

/** A message for a socket; an operation that must be answered (error or complete) names its id. */
interface WsMessage {
  msg: string | Buffer;
  /** The operation's id when the server must answer it with `error` or `complete`. */
  answer?: string;
  /** A mutation: a `next` carrying data would mean it was carried out. */
  mutation?: boolean;
}

/**
 * One socket: connects (optionally with a connection_init), sends its messages once acknowledged (or
 * at once without init), and resolves with the close code and what went wrong: an internal error, a
 * mutation carried out, an operation left unanswered, a close for an internal reason.
 */
function wsScript(
  server: TestServer,
  messages: WsMessage[],
  opts: { protocol?: string | null; init?: unknown; handshakeMayFail?: boolean } = {},
): Promise<{ code: number; problems: string[]; sent: number }> {
  return new Promise((resolve) => {
    const protocol = opts.protocol === undefined ? "graphql-transport-ws" : opts.protocol;
    const ws = protocol === null ? new WebSocket(server.wsUrl) : new WebSocket(server.wsUrl, protocol);
    const problems: string[] = [];
    const waiting = new Map(messages.filter((m) => m.answer).map((m) => [m.answer!, String(m.msg).slice(0, 200)]));
    const mutations = new Set(messages.filter((m) => m.mutation && m.answer).map((m) => m.answer!));
    let sent = 0;
    let terminated = false;
    const sendAll = () => {
      for (const m of messages) {
        ws.send(m.msg);
        sent++;
      }
      if (waiting.size === 0) setTimeout(() => ws.close(1000), 300).unref();
    };
    const timer = setTimeout(() => {
      if (waiting.size) problems.push(`unanswered after 20 s: ${[...waiting.values()].join(" | ")}`);
      terminated = true;
      ws.terminate();
    }, 20_000);
    let clientError = "";
    ws.on("error", (e) => (clientError = e.message));
    ws.on("message", (data) => {
      const text = String(data);
      if (text.includes("INTERNAL_SERVER_ERROR")) problems.push(`internal error: ${text.slice(0, 300)}`);
      let m: { type: string; id?: string; payload?: { data?: Record<string, unknown> | null } };
      try {
        m = JSON.parse(text);
      } catch {
        problems.push(`non-JSON message: ${text.slice(0, 100)}`);
        return;
      }
      if (m.type === "connection_ack") sendAll();
      if (m.type === "next" && m.id && mutations.has(m.id) && Object.values(m.payload?.data ?? {}).some((v) => v !== null)) problems.push(`mutation carried out: ${text.slice(0, 200)}`);
      if ((m.type === "error" || m.type === "complete") && m.id && waiting.delete(m.id) && waiting.size === 0) ws.close(1000);
    });
    ws.on("open", () => {
      if (opts.init === undefined) {
        sendAll();
        setTimeout(() => ws.close(1000), 2000).unref();
      } else {
        ws.send(typeof opts.init === "string" ? opts.init : json(opts.init));
        sent++;
      }
    });
    ws.on("close", (code) => {
      clearTimeout(timer);
      // 1006: the server dropped the socket without a close frame (only expected when we terminated it).
      // (the ws client aborts by itself when the server picks no subprotocol it asked for).
      const clientAborted = opts.handshakeMayFail && /subprotocol/i.test(clientError);
      if (code === 1011 || code === 4500 || (code === 1006 && !terminated && !clientAborted)) problems.push(`closed with ${code} ${clientError}`);
      // A normal close (ours, after the no-init wait) with operations still unanswered: the server
      // neither answered them nor refused the socket (a 44xx close answers them all).
      if (code === 1000 && waiting.size) problems.push(`unanswered at close: ${[...waiting.values()].join(" | ")}`);
      resolve({ code, problems, sent });
    });
  });
}

export async function wsFuzz({ server, world, roots }: Fuzz, r: Rng, scale: number): Promise<WsOutcome> {
  const out: WsOutcome = { messages: 0, sockets: 0, closeCodes: new Map(), problems: [] };
  const scripts: (() => Promise<{ code: number; problems: string[]; sent: number }>)[] = [];
  const garbage = ["{", "null", "[]", '"x"', "1", json({ type: "nope" }), json({ type: "subscribe" }), json({ type: "subscribe", id: 1, payload: {} }), json({ id: "1" }), json({ type: { $gt: "" } }), "\u0000", json({ type: "connection_init", payload: "x" }), json({ type: "connection_init", payload: [1] })];
  const init = (persona: Persona) => ({ type: "connection_init", payload: world.tokens[persona] ? { authorization: `Bearer ${world.tokens[persona]}` } : {} });
  // Malformed before or instead of connection_init.
  for (let i = 0; i < 60 * scale; i++) scripts.push(() => wsScript(server, [{ msg: r() < 0.2 ? Buffer.from([0xff, 0x00, 0x13]) : pick(r, garbage) }]));
  // Subscribing before being acknowledged.
  for (let i = 0; i < 10 * scale; i++) scripts.push(() => wsScript(server, [{ msg: json({ type: "subscribe", id: "a", payload: { query: "subscription { domainEvents { id } }" } }) }]));
  // Hostile connection_init payloads.
  const hostileInits: unknown[] = [
    { type: "connection_init", payload: { authorization: { $gt: "" } } },
    { type: "connection_init", payload: { authorization: ["Bearer x"] } },
    { type: "connection_init", payload: { authorization: "Bearer " + "x".repeat(500_000) } },
    ...FORGED_TOKENS(world).map((t) => ({ type: "connection_init", payload: { authorization: t } })),
    { type: "connection_init", payload: JSON.parse('{"__proto__":{"authorization":"x"}}') },
    "not json at all",
  ];
  for (let i = 0; i < 40 * scale; i++) scripts.push(() => wsScript(server, [], { init: pick(r, hostileInits) }));
  // Wrong or missing subprotocol.
  for (let i = 0; i < 5 * scale; i++) scripts.push(() => wsScript(server, [{ msg: json(init("admin")) }], { protocol: pick(r, ["graphql-ws", "nope", null]), handshakeMayFail: true }));
  // Acknowledged sockets sending streams of hostile operations; each must be refused with an error.
  const subs = roots.filter((x) => x.kind === "subscription" && x.field.args.some((a) => stringLeaves(a.type)));
  const mutations = roots.filter((y) => y.kind === "mutation" && y.field.args.some((a) => stringLeaves(a.type)));
  const hostileOp = (): WsMessage => {
    const x = int(r, 0, 8);
    const id = `op${int(r, 0, 1e9)}`;
    const sub = pick(r, subs);
    const op = (query: string, variables: Record<string, unknown> = {}, mutation = false): WsMessage => ({ msg: json({ type: "subscribe", id, payload: { query, variables } }), answer: id, mutation });
    if (x === 0) return op(operation(r, sub), hostileVars(world, r, sub, pick(r, HOSTILE_STRINGS)));
    if (x === 1) {
      const a = pick(r, sub.field.args);
      return op(operation(r, sub), { ...validVars(world, r, sub), [a.name]: wrongValue(r, a.type) });
    }
    if (x === 2) return op(`subscription { ${"a { ".repeat(2000)}b${" }".repeat(2000)} }`);
    if (x === 3) return op(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: me { id }`).join(" ")} }`);
    if (x === 4) {
      const m = pick(r, mutations);
      return op(operation(r, m), hostileVars(world, r, m, pick(r, HOSTILE_STRINGS)), true);
    }
    if (x === 5) return { msg: json({ type: "ping", payload: { $gt: "" } }) };
    if (x === 6) return { msg: json({ type: "complete", id: `unknown${id}` }) };
    if (x === 7) return op(`subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } me: courseSeatsChanged(courseId: "${NOWHERE}") { seatsLeft } }`);
    return op(`subscription { domainEvents(names: ${JSON.stringify(Array.from({ length: 500 }, () => "X".repeat(100)))}) { id } }`);
  };
  for (let i = 0; i < 100 * scale; i++) {
    scripts.push(() => {
      const ops = Array.from({ length: int(r, 10, 25) }, hostileOp);
      // A message graphql-ws finds invalid closes the socket (4400): one, last, on some sockets.
      if (r() < 0.3) ops.push({ msg: json({ type: "subscribe", id: "bad", payload: { query: { $gt: "" } } }) });
      return wsScript(server, ops, { init: init(pick(r, PERSONAS)) });
    });
  }
  // Too many initialisations, duplicate subscription ids, oversized messages.
  for (let i = 0; i < 5 * scale; i++) {
    scripts.push(() => wsScript(server, [{ msg: json(init("admin")) }], { init: init("admin") }));
    const same = json({ type: "subscribe", id: "same", payload: { query: `subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } }` } });
    scripts.push(() => wsScript(server, [{ msg: same }, { msg: same }], { init: init("student") }));
    scripts.push(() => wsScript(server, [{ msg: json({ type: "subscribe", id: "big", payload: { query: "{ me { id } }", variables: { x: "y".repeat(BODY_LIMIT + 10) } } }) }], { init: init("admin") }));
  }
  await forEachConcurrently(
    scripts,
    12,
    async (script) => {
      const res = await script();
      out.sockets++;
      out.messages += res.sent;
      out.closeCodes.set(res.code, (out.closeCodes.get(res.code) ?? 0) + 1);
      out.problems.push(...res.problems);
    },
    (err) => out.problems.push(`socket script failed: ${String(err)}`),
  );
  return out;
}
