import mongoose from "mongoose";
import type { Logger } from "./logger";
import { firstLine, forEachConcurrently, isObjectId, redactUrl, withTimeout } from "./util";

export interface MongoHandle {
  connection: mongoose.Connection;
  url: string;
  close(): Promise<void>;
}

const EMBEDDED_START_TIMEOUT_MS = 25_000;
/** How long start-up keeps trying to reach MongoDB. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long an operation waits for an unreachable MongoDB before it fails with SERVICE_UNAVAILABLE
 * (src/platform/outages.ts). At 10 s every request hung that long during an outage. A reachable
 * server is selected at once, so this only bounds the wait while it is down.
 */
export const SERVER_SELECTION_TIMEOUT_MS = 1_000;

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
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  // A maxPoolSize in MONGO_URL wins (FerretDB needs a smaller pool: see README, Known limits of FerretDB).
  const pool = /[?&]maxPoolSize=/i.test(url) ? {} : { maxPoolSize: 50 };
  for (;;) {
    try {
      await mongoose.connect(url, { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS, ...pool });
      break;
    } catch (e) {
      // Not reachable yet: each attempt waited SERVER_SELECTION_TIMEOUT_MS.
      if ((e as Error).name === "MongooseServerSelectionError" && Date.now() < deadline) continue;
      await stopEmbedded?.();
      throw new Error(`MongoDB: cannot connect to MONGO_URL=${redactUrl(url)} (${firstLine(e)})`, { cause: e });
    }
  }
  logger.info({ mongo: redactUrl(url) }, "mongo connected");
  // One line when MongoDB becomes unreachable and one when it is back, rather than one per request.
  let closing = false;
  mongoose.connection.on("disconnected", () => closing || logger.warn("mongo unreachable"));
  mongoose.connection.on("reconnected", () => logger.info("mongo reachable again"));
  return {
    connection: mongoose.connection,
    url,
    async close() {
      closing = true;
      await mongoose.disconnect();
      await stopEmbedded?.();
    },
  };
}


/**
 * Documents by `_id`, one equality lookup per id (at most `parallel` at once), ignoring ids that are
 * not ObjectIds. FerretDB serves `_id` equality from its primary key but answers `{ _id: { $in } }`
 * by reading and decoding every document of the collection (a CPU profile of FerretDB during the
 * office-hours benchmark: 88% of its time in such finds, from the user loader).
 */
export async function findByIds<T>(model: mongoose.Model<any>, ids: readonly string[], parallel = 16): Promise<T[]> {
  const found: T[] = [];
  let failure: unknown;
  await forEachConcurrently(
    ids.filter(isObjectId),
    parallel,
    async (id) => {
      const doc = await model.findById(id).lean<T>();
      if (doc) found.push(doc);
    },
    (err) => (failure ??= err),
  );
  if (failure) throw failure; // an outage is not "not found"
  return found;
}
