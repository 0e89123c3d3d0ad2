// WEB_CONCURRENCY > 1: one primary forks that many workers sharing the port (node:cluster), so one
// instance uses every core. Workers are ordinary stateless instances; the primary only supervises,
// forwards SIGTERM/SIGINT (each worker drains itself), and aggregates /metrics across workers. The
// primary exits 0 once every worker has stopped cleanly, 1 if one did not.
import cluster, { type Worker } from "node:cluster";
import { randomUUID } from "node:crypto";
import { AggregatorRegistry } from "prom-client";
import type { Logger } from "./logger";

interface MetricsRequest {
  type: "campus:metrics?";
  id: string;
}
interface MetricsReply {
  type: "campus:metrics!";
  id: string;
  text: string;
  contentType: string;
}

const CRASH_WINDOW_MS = 30_000;
const MAX_CRASHES_IN_WINDOW = 5;

export function runPrimary(workers: number, shutdownTimeoutMs: number, logger: Logger): void {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let failedStops = 0;
  let crashes: number[] = [];
  // A worker's inspector, when opened (SIGUSR1), takes a free port instead of the primary's port + n.
  cluster.setupPrimary({ inspectPort: 0 });

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on("message", (msg: MetricsRequest) => {
      if (msg?.type !== "campus:metrics?") return;
      aggregator.clusterMetrics().then(
        (text) => worker.send({ type: "campus:metrics!", id: msg.id, text, contentType: aggregator.contentType } satisfies MetricsReply),
        (err) => logger.error({ err }, "metrics aggregation failed"),
      );
    });
    return worker;
  };

  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) {
        failedStops++;
        logger.error({ pid: worker.process.pid, code, signal }, "worker did not stop cleanly");
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger[failedStops ? "error" : "info"]({ failed: failedStops }, "all workers stopped");
        logger.flush(() => process.exit(failedStops ? 1 : 0));
      }
      return;
    }
    const now = Date.now();
    crashes = [...crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    logger.error({ pid: worker.process.pid, code, signal }, "worker died");
    if (crashes.length > MAX_CRASHES_IN_WINDOW) {
      logger.fatal("workers keep dying, giving up");
      process.exit(1);
    }
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping workers");
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    // Each worker gives up after shutdownTimeoutMs itself; this only catches one that hangs anyway.
    setTimeout(() => {
      logger.error("workers did not stop in time, killing them");
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
    }, shutdownTimeoutMs + 2_000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  logger.info({ workers }, "primary started");
  for (let i = 0; i < workers; i++) fork();
}

/** In a worker: metrics of every worker, aggregated by the primary. */
export function clusterMetrics(timeoutMs = 5000): Promise<{ text: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    const id = randomUUID();
    const onMessage = (msg: MetricsReply) => {
      if (msg?.type !== "campus:metrics!" || msg.id !== id) return;
      clearTimeout(timer);
      process.off("message", onMessage);
      resolve({ text: msg.text, contentType: msg.contentType });
    };
    const timer = setTimeout(() => {
      process.off("message", onMessage);
      reject(new Error("primary did not answer the metrics request"));
    }, timeoutMs);
    process.on("message", onMessage);
    process.send!({ type: "campus:metrics?", id } satisfies MetricsRequest);
  });
}

export const isClusterWorker = () => cluster.isWorker;
