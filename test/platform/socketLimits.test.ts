// Caps on what one caller can hold open over graphql-ws: subscriptions per socket, sockets per
// account, signed-out sockets per address. Each refusal says why (an error or a close code).
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { CourseSeatsChangedDocument } from "../../operations/generated";
import { connected, subscribe, wsClient } from "../support/client";
import { createCourse, signUp, type TestUser } from "../support/factories";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
let teacher: TestUser;
let courseId: string;

beforeAll(async () => {
  server = await startServer(
    deploymentEnv({ TRUST_PROXY: "true", MAX_SUBSCRIPTIONS_PER_SOCKET: "3", MAX_SOCKETS_PER_ACCOUNT: "2", MAX_ANONYMOUS_SOCKETS_PER_ADDRESS: "2" }),
  );
  teacher = await signUp(server, "INSTRUCTOR");
  courseId = (await createCourse(server, teacher.token)).id;
});
afterAll(stopAll);

/** A socket that says it comes from `ip` (the server trusts X-Forwarded-For here). */
function clientFrom(ip: string, token?: string): Client {
  class FromAddress extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { "x-forwarded-for": ip } });
    }
  }
  return createClient({
    url: server.wsUrl,
    webSocketImpl: FromAddress,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
  });
}

const closeCode = (client: Client) => new Promise<{ code: number; reason: string }>((resolve) => client.on("closed", (e) => resolve(e as { code: number; reason: string })));

it("refuses a subscription past MAX_SUBSCRIPTIONS_PER_SOCKET on that socket, even sent all at once; a freed place can be used again", async () => {
  const client = wsClient(server, teacher.token, { lazy: false });
  await connected(client);
  const subs = Array.from({ length: 6 }, () => subscribe(client, CourseSeatsChangedDocument, { courseId }));
  await new Promise((r) => setTimeout(r, 1500));
  const running = subs.filter((s) => s.received.length > 0);
  const refused = subs.filter((s) => s.errors.length > 0);
  expect(running).toHaveLength(3);
  expect(refused).toHaveLength(3);
  for (const s of refused) expect((s.errors[0] as Array<{ extensions: unknown }>)[0].extensions).toEqual({ code: "RATE_LIMITED", reason: "TOO_MANY_SUBSCRIPTIONS" });
  running[0].unsubscribe();
  await new Promise((r) => setTimeout(r, 300));
  const again = subscribe(client, CourseSeatsChangedDocument, { courseId });
  await again.next();
  await client.dispose();
});

it("closes a socket past MAX_SOCKETS_PER_ACCOUNT with 1008; the account's other sockets stay, and closing one frees a place", async () => {
  const user = await signUp(server);
  const first = [clientFrom("10.0.0.1", user.token), clientFrom("10.0.0.2", user.token)];
  await Promise.all(first.map(connected));
  const third = clientFrom("10.0.0.3", user.token);
  expect(await closeCode(third)).toEqual(expect.objectContaining({ code: 1008, reason: "Too many sockets for this account" }));
  await first[0].dispose();
  await new Promise((r) => setTimeout(r, 300));
  const fourth = clientFrom("10.0.0.4", user.token);
  await connected(fourth);
  await Promise.all([first[1].dispose(), fourth.dispose()]);
});

it("caps signed-out sockets per address (MAX_ANONYMOUS_SOCKETS_PER_ADDRESS), not other addresses", async () => {
  const fromA = [clientFrom("10.1.0.1"), clientFrom("10.1.0.1")];
  await Promise.all(fromA.map(connected));
  const extra = clientFrom("10.1.0.1");
  expect(await closeCode(extra)).toEqual(expect.objectContaining({ code: 1008, reason: "Too many sockets from this address" }));
  const fromB = clientFrom("10.1.0.2");
  await connected(fromB);
  await Promise.all([...fromA, fromB].map((c) => c.dispose()));
});
