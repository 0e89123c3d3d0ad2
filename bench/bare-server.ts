// The baseline: a bare Node HTTP server answering POST /graphql with a fixed `me` response.
// It reads the body and writes the same JSON the real server sends, so the ratio shows what the
// GraphQL stack (Apollo, type-graphql, auth, metrics) costs on top of Node itself.
// BARE_WORKERS > 1 runs it under node:cluster, like the real server with WEB_CONCURRENCY.
import cluster from "node:cluster";
import { createServer } from "node:http";

const body = process.env.BARE_RESPONSE ?? JSON.stringify({ data: { me: null } });
const workers = Number(process.env.BARE_WORKERS ?? 1);

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.BARE_PORT ?? 0), "127.0.0.1", () => {
    console.log(JSON.stringify({ msg: "listening", port: (server.address() as { port: number }).port }));
  });
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
