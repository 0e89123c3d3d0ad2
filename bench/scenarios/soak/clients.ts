// The soak's recording and its clients: the Recorder (latencies per window, errors, deliveries), the
// HTTP client (Api, round-robin over the instances) and the graphql-ws clients (Sockets).
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { Client } from "graphql-ws";
import type { Pool } from "undici";
import { source, wsClient } from "../../../test/support/client";
import type { TestServer } from "../../../test/support/server";

interface OpStats {
  warmup: number;
  ok: number;
  conflicts: Map<string, number>;
  errors: Map<string, number>;
  /** Latencies (ms) per measured window, by start time. */
  windows: number[][];
  windowErrors: number[];
}

export class Recorder {
  /** performance.now() when measuring began; 0 while warming up. */
  measureStart = 0;
  readonly ops = new Map<string, OpStats>();
  readonly subs = new Map<string, { warmup: number; windows: number[]; errors: Map<string, number> }>();
  readonly samples = new Map<string, string[]>();
  dropped = [0, 0];

  constructor(
    readonly windowMs: number,
    readonly windows: number,
  ) {}

  /** -1 while warming up, else the window index. */
  window(t = performance.now()): number {
    if (!this.measureStart || t < this.measureStart) return -1;
    return Math.min(this.windows - 1, Math.floor((t - this.measureStart) / this.windowMs));
  }

  private op(name: string): OpStats {
    let s = this.ops.get(name);
    if (!s) this.ops.set(name, (s = { warmup: 0, ok: 0, conflicts: new Map(), errors: new Map(), windows: Array.from({ length: this.windows }, () => []), windowErrors: new Array(this.windows).fill(0) }));
    return s;
  }

  record(name: string, t0: number, ms: number, kind: "ok" | "conflict" | "error", detail = "", sample = "") {
    const s = this.op(name);
    const w = this.window(t0);
    if (w < 0) s.warmup++;
    else s.windows[w].push(ms);
    if (kind === "ok") s.ok++;
    else bump(kind === "conflict" ? s.conflicts : s.errors, detail);
    if (kind === "error") {
      if (w >= 0) s.windowErrors[w]++;
      const key = `${name} ${detail}`;
      const list = this.samples.get(key) ?? [];
      if (list.length < 3) this.samples.set(key, [...list, sample.slice(0, 300)]);
    }
  }

  private sub(label: string) {
    let s = this.subs.get(label);
    if (!s) this.subs.set(label, (s = { warmup: 0, windows: new Array(this.windows).fill(0), errors: new Map() }));
    return s;
  }

  delivery(label: string) {
    const s = this.sub(label);
    const w = this.window();
    if (w < 0) s.warmup++;
    else s.windows[w]++;
  }

  subError(label: string, detail: string) {
    bump(this.sub(label).errors, detail.slice(0, 120));
  }
}

function bump(m: Map<string, number>, key: string) {
  m.set(key, (m.get(key) ?? 0) + 1);
}

export interface Outcome<T> {
  data?: T;
  code?: string;
  reason?: string;
}

/** HTTP client: undici keep-alive pools, one per instance, requests round-robin over them. */
export class Api {
  inFlight = 0;
  private next = 0;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly pools: Pool[],
    private readonly rec: Recorder,
  ) {}

  call<T, V>(op: string, doc: TypedDocumentNode<T, V>, variables: V, token?: string, intended: readonly string[] = []): Promise<Outcome<T>> {
    const p = this.send(op, doc, variables, token, intended);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async send<T, V>(op: string, doc: TypedDocumentNode<T, V>, variables: V, token: string | undefined, intended: readonly string[]): Promise<Outcome<T>> {
    const pool = this.pools[this.next++ % this.pools.length];
    this.inFlight++;
    const t0 = performance.now();
    try {
      const res = await pool.request({
        path: "/graphql",
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query: source(doc), variables }),
      });
      const text = await res.body.text();
      const ms = performance.now() - t0;
      let body: { data?: T | null; errors?: { message?: string; extensions?: { code?: string; reason?: string } }[] };
      try {
        body = JSON.parse(text);
      } catch {
        this.rec.record(op, t0, ms, "error", `HTTP_${res.statusCode}`, text);
        return { code: `HTTP_${res.statusCode}` };
      }
      if (body.data && !body.errors?.length) {
        this.rec.record(op, t0, ms, "ok");
        return { data: body.data };
      }
      const ext = body.errors?.[0]?.extensions ?? {};
      const code = String(ext.code ?? `HTTP_${res.statusCode}`);
      const reason = ext.reason ? String(ext.reason) : undefined;
      if (reason && intended.includes(reason)) this.rec.record(op, t0, ms, "conflict", reason);
      else this.rec.record(op, t0, ms, "error", reason ? `${code}/${reason}` : code, JSON.stringify(body.errors));
      return { code, reason };
    } catch (e) {
      this.rec.record(op, t0, performance.now() - t0, "error", `TRANSPORT/${(e as Error).name}`, String(e));
      return { code: "TRANSPORT" };
    } finally {
      this.inFlight--;
    }
  }
}

/** graphql-ws clients, one socket per user (as a browser tab would), each pinned to one instance. */
export class Sockets {
  private readonly clients = new Map<string, Client>();
  private nextInstance = 0;

  constructor(
    private readonly servers: TestServer[],
    private readonly rec: Recorder,
  ) {}

  get count() {
    return this.clients.size;
  }

  private client(key: string, token: string): Client {
    let c = this.clients.get(key);
    if (!c) {
      const server = this.servers[this.nextInstance++ % this.servers.length];
      c = wsClient(server, token, { lazy: false, keepAlive: 0, onNonLazyError: (e) => this.rec.subError("socket", String((e as Error)?.message ?? e)) });
      c.on("closed", (e) => {
        const code = (e as { code?: number })?.code;
        if (!this.closing) this.rec.subError("socket", `closed ${code}`);
      });
      this.clients.set(key, c);
    }
    return c;
  }

  private closing = false;

  /** Subscribes on the user's socket; returns the unsubscribe function. */
  subscribe<T, V>(label: string, user: { id: string; token: string }, doc: TypedDocumentNode<T, V>, variables: V, onData?: (d: T) => void): () => void {
    return this.client(user.id, user.token).subscribe<T>(
      { query: source(doc), variables: variables as Record<string, unknown> },
      {
        next: (v) => {
          if (v.errors?.length) this.rec.subError(label, JSON.stringify(v.errors[0].extensions?.code ?? v.errors[0].message));
          else {
            this.rec.delivery(label);
            onData?.(v.data as T);
          }
        },
        error: (e) => this.rec.subError(label, e instanceof Error ? e.message : JSON.stringify(e)),
        complete: () => undefined,
      },
    );
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.clients.values()].map((c) => c.dispose()));
    this.clients.clear();
  }
}
