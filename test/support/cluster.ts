// N server instances of one deployment (same database, Redis and prefix) behind one entry point:
// client-side round-robin, as a load balancer would spread requests, skipping instances that died.
//
//   const cluster = await startCluster(3, deploymentEnv({ ... }));
//   await gql(cluster.entry, MeDocument, {}, token);        // instance 0, then 1, 2, 0, ...
//   await gql(cluster.instances[1], MeDocument, {}, token); // or one instance on purpose
//   const ws = wsClient(cluster.entry, token, { url: cluster.nextWsUrl }); // reconnects go round too
//
// Works from Jest and from compiled benchmarks (dist/test/support).
import { deploymentEnv, startServer, type TestServer } from "./server";

/** What the clients in test/support need to reach a server: one instance or the entry point. */
export interface Endpoint {
  readonly url: string;
  readonly wsUrl: string;
  readonly env: Record<string, string>;
}

export interface Cluster {
  instances: TestServer[];
  /** Every read of `url` / `wsUrl` names the next live instance; `next()` the instance itself. */
  entry: Endpoint & { next(): TestServer };
  /** For graphql-ws `url` (a function is read on every (re)connect). */
  nextWsUrl: () => string;
  env: Record<string, string>;
  /** Starts one more instance of the deployment and adds it to the rotation. */
  add(): Promise<TestServer>;
  /** SIGTERM to every instance. */
  stop(): Promise<void>;
}

const alive = (s: TestServer) => s.proc.exitCode === null && s.proc.signalCode === null;

/** Round-robin over `instances` (the array may grow); instances whose process has exited are skipped. */
export function roundRobin(instances: TestServer[], env: Record<string, string> = instances[0].env): Endpoint & { next(): TestServer } {
  let i = 0;
  const next = (): TestServer => {
    for (let tried = 0; tried < instances.length; tried++) {
      const s = instances[i++ % instances.length];
      if (alive(s)) return s;
    }
    throw new Error("no live instance behind the entry point");
  };
  return {
    next,
    env,
    get url() {
      return next().url;
    },
    get wsUrl() {
      return next().wsUrl;
    },
  };
}

/**
 * Starts `n` instances of one deployment. They start one after another: the first creates indexes
 * and the ADMIN, and on a loaded 2-core machine parallel start-ups only slow each other down.
 */
export async function startCluster(n: number, env: Record<string, string> = deploymentEnv()): Promise<Cluster> {
  const instances: TestServer[] = [];
  for (let k = 0; k < n; k++) instances.push(await startServer(env));
  const rr = roundRobin(instances, env);
  return {
    instances,
    entry: rr,
    nextWsUrl: () => rr.next().wsUrl,
    env,
    async add() {
      const s = await startServer(env);
      instances.push(s);
      return s;
    },
    async stop() {
      await Promise.all(instances.map((s) => s.stop()));
    },
  };
}
