// The graphql-http server audit (GraphQL-over-HTTP spec compliance) against the running server.
import { auditServer } from "graphql-http";
import { startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(stopAll);

it("passes the graphql-http audit with zero errors (warnings are listed in docs/testing.md)", async () => {
  const results = await auditServer({ url: server.url });
  const failed = results.filter((r) => r.status !== "ok");
  const errors = failed.filter((r) => r.status === "error");
  if (failed.length) {
    console.log(
      `graphql-http audit: ${results.length - failed.length}/${results.length} ok\n` +
        failed.map((r) => `${r.status} ${r.id} ${r.name}${"reason" in r ? `: ${r.reason}` : ""}`).join("\n"),
    );
  }
  expect(errors.map((e) => `${e.name}: ${"reason" in e ? e.reason : ""}`)).toEqual([]);
  expect(results.length).toBeGreaterThan(20);
});
