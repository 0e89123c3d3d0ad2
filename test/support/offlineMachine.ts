// Run by test/platform/firstRun.test.ts inside a network namespace of its own, where only loopback
// exists: no internet, no name service, none of the machine's own services (no Redis on 6379). Starts
// the server twice with the environment it was given (nothing configured), signs up between the two
// runs, and prints one JSON line of what it saw.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { rawPost } from "./client";
import { signUp } from "./factories";
import { startServer } from "./server";

async function main() {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const me = async (server: Awaited<ReturnType<typeof startServer>>, token: string) =>
    (await rawPost<{ me: { id: string } | null }>(server, JSON.stringify({ query: "{ me { id } }" }), token)).data?.me?.id ?? null;

  const first = await startServer(env);
  const user = await signUp(first);
  const before = await me(first, user.token);
  const firstLogs = first.logs.join("\n");
  const firstExit = await first.stop();
  const second = await startServer(env);
  const after = await me(second, user.token);
  const secondExit = await second.stop();
  console.log(
    JSON.stringify({
      userId: user.id,
      before,
      after,
      exits: [firstExit, secondExit],
      standIn: firstLogs.includes("MONGO_URL not set: starting the local stand-in"),
      privateRedis: firstLogs.includes("REDIS_URL not set: started a local redis-server"),
      redisData: existsSync(join(env.CAMPUS_LIVE_DATA_DIR!, "redis", "appendonlydir")),
    }),
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
