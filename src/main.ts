// Process entry point: configuration, start, graceful shutdown.
import "reflect-metadata";
import cluster from "node:cluster";
import { createApp } from "./app";
import { runPrimary } from "./platform/cluster";
import { loadConfigOrExit } from "./platform/config";
import { releaseStartupMemory } from "./platform/memory";
import { createLogger } from "./platform/logger";

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config.workers, logger);
  if (!config.JWT_SECRET) logger.warn("JWT_SECRET not set: using a random per-process secret (tokens die with it)");

  let app;
  try {
    app = await createApp(config, logger);
  } catch (e) {
    console.error(`startup failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  releaseStartupMemory();
  const port = await app.listen();
  logger.info({ port, url: `http://localhost:${port}/graphql` }, "listening");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      logger.error("shutdown timed out, exiting");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    await app.stop();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));
}

void main();
