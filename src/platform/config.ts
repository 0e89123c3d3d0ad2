// The only module that reads process.env. Everything else receives a Config.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: int(0, 65535).default(4000),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, "must start with mongodb:// or mongodb+srv://")
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must start with redis:// or rediss://").optional(),
  /** Namespaces every Redis key and channel; lets several deployments (or test runs) share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[\w:.-]*$/, "letters, digits, _ : . - only").default("cl:"),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  JWT_TTL_SECONDS: int(60, 60 * 60 * 24 * 7).default(60 * 60 * 12),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** argon2id memory cost in KiB (OWASP minimum 19 MiB). */
  PASSWORD_HASH_MEMORY_KIB: int(8 * 1024, 1024 * 1024).default(19 * 1024),
  /** Password hashes and checks running at once per process (each holds PASSWORD_HASH_MEMORY_KIB); more wait their turn. */
  PASSWORD_HASH_CONCURRENCY: int(1, 64).default(2),
  /** Failed log-ins per address (any accounts) in a window; then that address is refused. */
  LOGIN_LIMIT_PER_IP: int(1, 1_000_000).default(100),
  /** Failed log-ins for one account from one address in a window; then that address is refused for that account. */
  LOGIN_LIMIT_PER_ACCOUNT_IP: int(1, 1_000_000).default(10),
  /**
   * Failed log-ins for one account (from every address) in a window after which each attempt on it
   * waits, doubling from 100 ms up to LOGIN_DELAY_MAX_MS. The account is never refused: the right
   * password from an address that has not been failing still logs in.
   */
  LOGIN_LIMIT_PER_ACCOUNT: int(1, 1_000_000).default(10),
  LOGIN_DELAY_MAX_MS: int(0, 10_000).default(2000),
  LOGIN_LIMIT_WINDOW_SECONDS: int(1, 86_400).default(15 * 60),
  /** How long an instance trusts what it read of an account (role, locked, exists) before reading it again. */
  ACCOUNT_CACHE_MS: int(100, 60_000).default(5000),
  SIGNUP_LIMIT_PER_IP: int(1, 1_000_000).default(20),
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: int(1024, 50 * 1024 * 1024).default(1024 * 1024),
  MAX_QUERY_DEPTH: int(2, 100).default(10),
  MAX_QUERY_COMPLEXITY: int(10, 1_000_000).default(5000),
  MAX_ALIASES: int(1, 1000).default(30),
  /** graphql-ws: open subscriptions per socket, sockets per account and signed-out sockets per address (per instance). */
  MAX_SUBSCRIPTIONS_PER_SOCKET: int(1, 10_000).default(100),
  MAX_SOCKETS_PER_ACCOUNT: int(1, 10_000).default(20),
  MAX_ANONYMOUS_SOCKETS_PER_ADDRESS: int(1, 100_000).default(20),
  /** /metrics is served on its own listener, loopback by default (the API port never serves it). */
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  METRICS_PORT: int(0, 65535).default(9464),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Worker processes per instance (node:cluster); 0 = one per CPU core. */
  WEB_CONCURRENCY: int(0, 64).default(1),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
  /** Enrollment profile of a student nobody has set one for. */
  DEFAULT_MAX_UNITS: int(0, 1000).default(20),
  DEFAULT_REMAINING_CHANGES: int(0, 1000).default(3),
  /**
   * The durable logs (enrollment, quiz, attendance): each writer stores a batch in MongoDB when it
   * holds LOG_BATCH entries or its first entry is LOG_FLUSH_MS old, whichever comes first.
   */
  LOG_BATCH: int(1, 100_000).default(1000),
  LOG_FLUSH_MS: int(10, 60_000).default(500),
  /** A log entry unacknowledged this long (its writer died) is taken over by another writer. */
  LOG_CLAIM_IDLE_MS: int(100, 3_600_000).default(15_000),
  INVITE_TTL_SECONDS: int(1, 86_400).default(300),
  LEADERBOARD_THROTTLE_MS: int(10, 60_000).default(500),
  AGENDA_PROCESS_EVERY_MS: int(100, 600_000).default(1000),
  /** How often a job closes quizzes whose closesAt has passed (and stores their final leaderboard). */
  QUIZ_CLOSE_CHECK_SECONDS: int(1, 3600).default(5),
  /** Attendance: days after a lesson's date during which its register may still change. */
  ATTENDANCE_CORRECTION_DAYS: int(0, 60).default(7),
  /** Attendance: the time zone of schools created without one (IANA name). */
  ATTENDANCE_DEFAULT_TIME_ZONE: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en-CA", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "must be an IANA time zone such as Europe/Berlin")
    .default("UTC"),
});

export type Config = z.infer<typeof schema> & {
  isProduction: boolean;
  /** WEB_CONCURRENCY resolved: how many worker processes serve requests. */
  workers: number;
  /** Generated per process when JWT_SECRET is unset outside production (tokens then die with it). */
  jwtSecret: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Settings a deployment may still set that another one replaced: refused, naming the replacement. */
const REPLACED: Record<string, string> = {
  QUIZ_LOG_BATCH: "LOG_BATCH sets the batch of every log",
  QUIZ_LOG_FLUSH_MS: "LOG_FLUSH_MS sets the flush interval of every log",
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const c = parsed.data;
  const problems: string[] = [];
  const isProduction = c.NODE_ENV === "production";
  if (isProduction && !c.JWT_SECRET) problems.push("JWT_SECRET: required in production (32+ characters)");
  if (isProduction && !c.MONGO_URL) problems.push("MONGO_URL: required in production");
  if (isProduction && !c.REDIS_URL) problems.push("REDIS_URL: required in production");
  if (Boolean(c.ADMIN_EMAIL) !== Boolean(c.ADMIN_PASSWORD)) {
    problems.push("ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither");
  }
  const workers = c.WEB_CONCURRENCY === 0 ? availableParallelism() : c.WEB_CONCURRENCY;
  if (workers > 1 && (!c.MONGO_URL || !c.REDIS_URL)) {
    problems.push("WEB_CONCURRENCY: more than one worker needs MONGO_URL and REDIS_URL (embedded services are per process)");
  }
  for (const [name, instead] of Object.entries(REPLACED)) {
    if (cleaned[name] !== undefined) problems.push(`${name}: not a setting; ${instead}`);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    ...c,
    isProduction,
    workers,
    jwtSecret: c.JWT_SECRET ?? require("node:crypto").randomBytes(48).toString("base64"),
  };
}

/** For entry points (server, scripts): the configuration, or each problem on one line and exit 78. */
export function loadConfigOrExit(): Config {
  try {
    return withLocalJwtSecret(loadConfig());
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const problem of e.problems) console.error(`config error: ${problem}`);
    process.exit(78); // EX_CONFIG
  }
}

/**
 * Where `npm start` and `npm run seed` keep the data of the services they start when MONGO_URL or
 * REDIS_URL is unset (and a development JWT secret): CAMPUS_LIVE_DATA_DIR, else
 * $XDG_DATA_HOME/campus-live, else ~/.local/share/campus-live. Outside the work tree, kept between runs.
 */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CAMPUS_LIVE_DATA_DIR) return env.CAMPUS_LIVE_DATA_DIR;
  return join(env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share"), "campus-live");
}

/** Where mongodb-memory-server would download mongod from (its MONGOMS_* variables, else its default). */
export function mongodDownloadUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.MONGOMS_DOWNLOAD_URL || env.MONGOMS_DOWNLOAD_MIRROR || "https://fastdl.mongodb.org";
}

/**
 * Outside production, without JWT_SECRET: one secret kept in the data folder, shared by the server
 * and the seed (whose printed token the server then accepts) and surviving restarts. When the folder
 * cannot be written, the per-process random secret stays.
 */
function withLocalJwtSecret(config: Config): Config {
  if (config.isProduction || config.JWT_SECRET) return config;
  const dir = localDataDir();
  const file = join(dir, "jwt-secret");
  try {
    mkdirSync(dir, { recursive: true });
    try {
      // "wx": when the server and the seed start together, the first one's secret is the one kept.
      writeFileSync(file, randomBytes(48).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const secret = readFileSync(file, "utf8").trim();
    return secret.length >= 32 ? { ...config, JWT_SECRET: secret, jwtSecret: secret } : config;
  } catch {
    return config;
  }
}
