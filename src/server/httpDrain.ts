// Graceful stop of the HTTP server: stop accepting connections, answer every request already
// received, then close the connections. WebSockets are closed by their owner (graphqlWs.ts) in between.
//
// Not `http.Server.close()` at once: since Node.js 19 it also destroys idle keep-alive connections on
// the spot, and a request whose bytes had arrived but were not yet read then dies with a reset. Here
// the listening socket closes first, requests that arrive during `settleMs` on open connections are
// answered with `Connection: close`, and only connections still idle after that are closed.
import { Server as NetServer } from "node:net";
import type { Server } from "node:http";

export class HttpDrain {
  private inFlight = 0;
  private draining = false;
  private onIdle: (() => void) | null = null;

  constructor(private readonly server: Server) {
    server.prependListener("request", (_req, res) => {
      this.inFlight++;
      if (this.draining) res.setHeader("connection", "close");
      res.once("close", () => {
        if (--this.inFlight === 0) this.onIdle?.();
      });
    });
  }

  /** True from the first step of the stop: /readyz answers 503 so load balancers look elsewhere. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Stops accepting connections; later responses close their connection. Returns at once. */
  begin(): void {
    if (this.draining) return;
    this.draining = true;
    // net.Server's close: stops listening, leaves the open connections alone (see the top).
    NetServer.prototype.close.call(this.server);
  }

  /** Waits `settleMs`, then until no request is in progress, then closes the idle connections. */
  async finish(settleMs: number): Promise<void> {
    this.begin();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    // And one poll of the event loop after it: bytes that arrived meanwhile become requests first.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    this.onIdle = null;
    this.server.closeIdleConnections();
  }
}
