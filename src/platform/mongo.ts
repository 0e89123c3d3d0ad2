import mongoose from "mongoose";
import type { Logger } from "./logger";
import { firstLine, redactUrl, withTimeout } from "./util";

export interface MongoHandle {
  connection: mongoose.Connection;
  url: string;
  close(): Promise<void>;
}

const EMBEDDED_START_TIMEOUT_MS = 25_000;

/**
 * Connects the process-wide mongoose connection. Without MONGO_URL an embedded mongodb-memory-server
 * is started (it downloads mongod on first use); when that fails (offline) the error names MONGO_URL.
 */
export async function connectMongo(url: string | undefined, logger: Logger): Promise<MongoHandle> {
  let stopEmbedded: (() => Promise<unknown>) | undefined;
  if (!url) {
    logger.info("MONGO_URL not set: starting embedded mongodb-memory-server");
    try {
      const { MongoMemoryReplSet } = await import("mongodb-memory-server");
      const started = MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: "wiredTiger" } });
      const server = await withTimeout(started, EMBEDDED_START_TIMEOUT_MS, "timed out");
      url = server.getUri("campus_live");
      stopEmbedded = () => server.stop();
    } catch (e) {
      throw new Error(
        `MongoDB: MONGO_URL is not set and the embedded mongodb-memory-server could not start ` +
          `(${firstLine(e)}). Set MONGO_URL=mongodb://host:27017/campus_live`,
        { cause: e },
      );
    }
  }
  mongoose.set("strictQuery", true);
  mongoose.set("autoIndex", true);
  try {
    // A maxPoolSize in MONGO_URL wins (FerretDB needs a smaller pool: see README, Known limits of FerretDB).
    const pool = /[?&]maxPoolSize=/i.test(url) ? {} : { maxPoolSize: 50 };
    await mongoose.connect(url, { serverSelectionTimeoutMS: 10_000, ...pool });
  } catch (e) {
    await stopEmbedded?.();
    throw new Error(`MongoDB: cannot connect to MONGO_URL=${redactUrl(url)} (${firstLine(e)})`, { cause: e });
  }
  logger.info({ mongo: redactUrl(url) }, "mongo connected");
  return {
    connection: mongoose.connection,
    url,
    async close() {
      await mongoose.disconnect();
      await stopEmbedded?.();
    },
  };
}

