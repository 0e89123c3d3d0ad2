// One address in front of several server instances, as a load balancer: each TCP connection goes to
// the first instance that accepts it, in order, so everything reaches instance 0 until it stops and
// the next one afterwards (HTTP and WebSocket alike; no HTTP parsing).
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { TestServer } from "./server";

export interface Proxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function failoverProxy(instances: TestServer[]): Promise<Proxy> {
  const open = new Set<Socket>();
  const connectTo = (client: Socket, k: number) => {
    if (k >= instances.length) return client.destroy();
    const upstream = createConnection({ host: "127.0.0.1", port: instances[k].port });
    open.add(upstream);
    upstream.once("close", () => open.delete(upstream));
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      client.resume();
      upstream.on("error", () => client.destroy());
      upstream.on("close", () => client.destroy());
      client.on("close", () => upstream.destroy());
    });
    // Refused (the instance is gone): the next one; once connected, errors close both sides.
    upstream.once("error", () => {
      if (!connected) connectTo(client, k + 1);
    });
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once("close", () => open.delete(client));
    client.on("error", () => undefined);
    connectTo(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
