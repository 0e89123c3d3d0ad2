// Start-up checks and graceful shutdown, with the real process.
import { createServer } from "node:net";
import { request } from "node:http";
import { connected, wsClient } from "../support/client";
import { signUp } from "../support/factories";
import { deploymentEnv, runToExit, startServer, stopAll } from "../support/server";

afterAll(stopAll);

const unusedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe("start-up", () => {
  it("refuses invalid configuration with one line per problem, naming the variable", async () => {
    const r = await runToExit(deploymentEnv({ PORT: "http", JWT_SECRET: "short", MAX_QUERY_DEPTH: "0" }));
    expect(r.code).toBe(78);
    const lines = r.stderr.trim().split("\n");
    expect(lines.map((l) => l.replace(/^config error: /, "").split(":")[0]).sort()).toEqual([
      "JWT_SECRET",
      "MAX_QUERY_DEPTH",
      "PORT",
    ]);
  });

  it("names MONGO_URL when MongoDB is unreachable, without a stack trace", async () => {
    const r = await runToExit(deploymentEnv({ MONGO_URL: `mongodb://127.0.0.1:${await unusedPort()}/x` }));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^startup failed: MongoDB: cannot connect to MONGO_URL=mongodb:\/\/127\.0\.0\.1:\d+\/x/);
    expect(r.ms).toBeLessThan(30_000);
  });

  it("names REDIS_URL when Redis is unreachable", async () => {
    const r = await runToExit(deploymentEnv({ REDIS_URL: `redis://127.0.0.1:${await unusedPort()}` }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^startup failed: Redis: cannot connect to REDIS_URL=redis:\/\/127\.0\.0\.1:\d+ /);
    expect(r.ms).toBeLessThan(30_000);
  });

  it("without MONGO_URL tries the embedded server, and offline says to set MONGO_URL within 30 s", async () => {
    const env = deploymentEnv();
    delete (env as Partial<typeof env>).MONGO_URL;
    const r = await runToExit(env, 35_000);
    // With internet the embedded mongod starts and the server would be listening instead.
    expect(r.stdout + r.stderr).toMatch(/listening|Set MONGO_URL=mongodb:\/\//);
    if (r.code !== null) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("MONGO_URL is not set and the embedded mongodb-memory-server could not start");
      expect(r.ms).toBeLessThan(30_000);
    }
  }, 40_000);
});

describe("SIGTERM", () => {
  it("drains: open sockets are closed, a request in progress is answered, exit code 0", async () => {
    const server = await startServer();
    const user = await signUp(server);
    const client = wsClient(server, user.token, { lazy: false });
    await connected(client);
    const closed = new Promise<number>((resolve) => client.on("closed", (e) => resolve((e as { code: number }).code)));

    // A request whose body is still arriving when SIGTERM lands.
    const body = JSON.stringify({ query: "{ me { id } }" });
    const req = request(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${user.token}` },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      });
      req.on("error", reject);
    });
    req.write(body.slice(0, 5));
    await new Promise((r) => setTimeout(r, 200));
    const exit = server.stop();
    await new Promise((r) => setTimeout(r, 200));
    req.end(body.slice(5));

    expect(await answered).toEqual({ status: 200, text: JSON.stringify({ data: { me: { id: user.id } } }) + "\n" });
    expect(await exit).toBe(0);
    expect(await closed).toBe(1001);
    expect(server.logs.join("\n")).toContain('"msg":"stopped"');
  });
});
