// The MongoDB connection (mongoose, one pool per process), whose operations fail within a second while
// MongoDB is unreachable; without MONGO_URL (never in production), a local database kept in the data
// folder. Also lookups by many ids in one query.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import mongoose from "mongoose";
import { localDataDir, mongodDownloadUrl } from "./config";
import { answers, packageRoot, recordLocalService, runningLocalService, startLocalService, type LocalService } from "./localServices";
import type { Logger } from "./logger";
import { withTimeout } from "./async";
import { isObjectId } from "./ids";
import { freePort } from "./net";
import { firstLine, redactUrl } from "./text";

export interface MongoHandle {
  connection: mongoose.Connection;
  url: string;
  close(): Promise<void>;
}

/** How long the embedded mongod may take to start once its binary is here. */
const EMBEDDED_START_TIMEOUT_MS = 25_000;
/** How long a first run may take to download mongod (about 100 MB) once the download site answers. */
const EMBEDDED_DOWNLOAD_TIMEOUT_MS = 180_000;
/** How long the download site has to accept a connection: offline, a name lookup fails at once. */
const ONLINE_CHECK_TIMEOUT_MS = 3_000;
/** The stand-in's first run builds FerretDB 2.5 and DocumentDB (about 3 minutes); later starts take seconds. */
const STAND_IN_START_TIMEOUT_MS = 300_000;
/** The stand-in's folder inside the data folder (its PostgreSQL cluster and FerretDB's state). */
const STAND_IN_DIR = "docdb";
/** How long start-up keeps trying to reach MongoDB. */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long an operation waits for an unreachable MongoDB before it fails with SERVICE_UNAVAILABLE
 * (src/platform/outages.ts). The driver's default, 30 s, would hold every request that long during an outage. A reachable
 * server is selected at once, so this only bounds the wait while it is down.
 */
export const SERVER_SELECTION_TIMEOUT_MS = 1_000;

/**
 * Connects the process-wide mongoose connection. Without MONGO_URL (never in production: config.ts
 * requires it there), a local database whose data is kept in localDataDir() (embedded()).
 */
export async function connectMongo(url: string | undefined, logger: Logger): Promise<MongoHandle> {
  let stopEmbedded: (() => Promise<unknown>) | undefined;
  if (!url) {
    const local = await embedded(logger);
    url = local.url;
    stopEmbedded = () => local.stop();
  }
  mongoose.set("strictQuery", true);
  // Indexes are built, and collections created with them, by buildIndexes (src/platform/collections.ts).
  mongoose.set("autoIndex", false);
  mongoose.set("autoCreate", false);
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  // A maxPoolSize in MONGO_URL wins.
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
 * The local database for a run with nothing configured, its data kept in the data folder between runs:
 *   1. the one the server or the seed of this data folder already runs (the seed fills the server's);
 *   2. mongodb-memory-server's mongod (MongoDB 7, downloaded on first use), unless the folder already
 *      holds the stand-in's data or mongod is neither here nor downloadable (offline is seen at once:
 *      the download site does not answer within ONLINE_CHECK_TIMEOUT_MS);
 *   3. the tests' stand-in, FerretDB 2.5 on a PostgreSQL cluster with DocumentDB in the data folder
 *      (scripts/services.sh `stand-in-mongo`, built from the vendored sources on first use);
 *   else one line naming MONGO_URL.
 */
async function embedded(logger: Logger): Promise<LocalService> {
  const dir = localDataDir();
  const running = await runningLocalService(dir, "mongo", ["stand-in-mongo", "mongod"]).catch(() => undefined);
  if (running) {
    logger.info({ mongo: running, dataDir: dir }, "MONGO_URL not set: using the local database another process of this data folder runs");
    return { url: running, stop: async () => {} };
  }
  const reasons: string[] = [];
  if (!existsSync(join(dir, STAND_IN_DIR))) {
    const mongod = await mongodAvailability();
    if (mongod === "unavailable") {
      reasons.push(`mongodb-memory-server cannot download mongod (${new URL(mongodDownloadUrl()).host} does not answer: offline?)`);
    } else {
      logger.info({ dataDir: dir }, mongod === "download" ? "MONGO_URL not set: downloading mongod for mongodb-memory-server (first run only)" : "MONGO_URL not set: starting mongodb-memory-server");
      try {
        return await startMemoryServer(dir, mongod === "download" ? EMBEDDED_DOWNLOAD_TIMEOUT_MS : EMBEDDED_START_TIMEOUT_MS);
      } catch (e) {
        reasons.push(`mongodb-memory-server could not start (${firstLine(e)})`);
      }
    }
  }
  const script = packageRoot() && join(packageRoot()!, "scripts", "services.sh");
  if (script && existsSync(script)) {
    logger.info(
      { dataDir: dir, skipped: reasons },
      "MONGO_URL not set: starting the local stand-in, FerretDB 2.5 + DocumentDB (built on the first run, about 3 minutes)",
    );
    try {
      const port = await freePort();
      return await startLocalService({
        dir,
        name: "mongo",
        command: "bash",
        args: [script, "stand-in-mongo", join(dir, STAND_IN_DIR), String(port)],
        port,
        url: `mongodb://127.0.0.1:${port}/campus_live`,
        readyMs: STAND_IN_START_TIMEOUT_MS,
      });
    } catch (e) {
      reasons.push(`the local stand-in could not start (${firstLine(e)})`);
    }
  } else {
    reasons.push("this install has no scripts/services.sh to start the local stand-in");
  }
  throw new Error(`MongoDB: MONGO_URL is not set, ${reasons.join(", and ") || "no local database can start"}. Set MONGO_URL=mongodb://host:27017/campus_live`);
}

/** Whether mongod is here, can be downloaded, or neither (offline with an empty cache). */
async function mongodAvailability(): Promise<"here" | "download" | "unavailable"> {
  try {
    const { DryMongoBinary } = await import("mongodb-memory-server");
    if (await DryMongoBinary.locateBinary(DryMongoBinary.getEnsuredOptions())) return "here";
  } catch {
    /* not found */
  }
  const site = new URL(mongodDownloadUrl());
  const port = Number(site.port) || (site.protocol === "http:" ? 80 : 443);
  return (await answers(site.hostname, port, ONLINE_CHECK_TIMEOUT_MS)) ? "download" : "unavailable";
}

/** A standalone mongod (the code uses no replica-set feature) on `<dir>/mongod`, which it keeps. */
async function startMemoryServer(dir: string, timeoutMs: number): Promise<LocalService> {
  const { MongoMemoryServer } = await import("mongodb-memory-server");
  const dbPath = join(dir, "mongod");
  mkdirSync(dbPath, { recursive: true });
  const server = await withTimeout(
    MongoMemoryServer.create({ instance: { dbPath, storageEngine: "wiredTiger", ip: "127.0.0.1" } }),
    timeoutMs,
    "timed out",
  );
  const url = server.getUri("campus_live");
  const forget = recordLocalService(dir, "mongo", url, server.instanceInfo?.instance.mongodProcess?.pid ?? 0);
  return {
    url,
    async stop() {
      forget();
      await server.stop({ doCleanup: false });
    },
  };
}

/** Documents by `_id` in one `$in` query (an index lookup), ignoring ids that are not ObjectIds. */
export function findByIds<T>(model: mongoose.Model<any>, ids: readonly string[]): Promise<T[]> {
  const valid = ids.filter(isObjectId);
  return valid.length ? model.find({ _id: { $in: valid } }).lean<T[]>().exec() : Promise.resolve([]);
}
