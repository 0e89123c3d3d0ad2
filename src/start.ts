// The server process: configuration, start, graceful shutdown (loaded by main.ts once Node.js is known to fit).
import "reflect-metadata";
import cluster from "node:cluster";
import { createApp, type App } from "./app";
import { runPrimary } from "./platform/cluster";
import { loadConfigOrExit } from "./platform/config";
import { releaseStartupMemory } from "./platform/memory";
import { createLogger, type Logger } from "./platform/logger";

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config.workers, config.SHUTDOWN_TIMEOUT_MS, logger);
  if (!config.JWT_SECRET) logger.warn("JWT_SECRET not set: using a random per-process secret (tokens die with it)");

  // SIGTERM/SIGINT, from the first moment: stop accepting, answer what was received, close sockets
  // (1001), stop the background work, write what is pending, close MongoDB and Redis (App.stop),
  // then exit 0. A signal during start-up lets the start finish, then stops without listening.
  let app: App | undefined;
  let stopping = false;
  let started: () => void = () => undefined;
  const startup = new Promise<void>((resolve) => (started = resolve));
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const since = Date.now();
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => exit(logger, 1, "shutdown timed out, exiting"), config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    await startup;
    await app?.stop();
    exit(logger, 0, "stopped", { ms: Date.now() - since });
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));

  try {
    app = await createApp(config, logger);
  } catch (e) {
    console.error(`startup failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  if (stopping) return started();
  releaseStartupMemory();
  let port: number, metricsPort: number;
  try {
    ({ port, metricsPort } = await app.listen());
  } catch (e) {
    console.error(`startup failed: cannot listen (${e instanceof Error ? e.message : String(e)}): check PORT, HOST, METRICS_PORT, METRICS_HOST`);
    await app.stop();
    process.exit(1);
  }
  started();
  logger.info({ port, url: `http://localhost:${port}/graphql`, metricsPort }, "listening");
}

/** Logs the last line, waits for the log to reach its destination, and exits. */
function exit(logger: Logger, code: number, msg: string, fields: object = {}): void {
  logger[code === 0 ? "info" : "error"](fields, msg);
  logger.flush(() => process.exit(code));
}

void main();
