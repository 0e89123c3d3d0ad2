import { ConfigError, loadConfig } from "../../src/platform/config";

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe("configuration from the environment", () => {
  it("starts on embedded defaults when nothing is set", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(4000);
    expect(config.MONGO_URL).toBeUndefined();
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it("reports one line per problem, naming the variable", () => {
    const found = problems({ PORT: "http", MONGO_URL: "localhost:27017", JWT_SECRET: "short", LOG_LEVEL: "loud" });
    expect(found).toHaveLength(4);
    expect(found.map((p) => p.split(":")[0]).sort()).toEqual(["JWT_SECRET", "LOG_LEVEL", "MONGO_URL", "PORT"]);
    for (const p of found) expect(p).not.toContain("\n");
  });

  it("requires the shared secret and real services in production", () => {
    expect(problems({ NODE_ENV: "production" }).map((p) => p.split(":")[0])).toEqual(["JWT_SECRET", "MONGO_URL", "REDIS_URL"]);
  });

  it("refuses a setting another one replaced, naming the replacement", () => {
    expect(problems({ QUIZ_LOG_BATCH: "500", QUIZ_LOG_FLUSH_MS: "200" })).toEqual([
      "QUIZ_LOG_BATCH: not a setting; LOG_BATCH sets the batch of every log",
      "QUIZ_LOG_FLUSH_MS: not a setting; LOG_FLUSH_MS sets the flush interval of every log",
    ]);
  });

  it("wants ADMIN_EMAIL and ADMIN_PASSWORD together", () => {
    expect(problems({ ADMIN_EMAIL: "a@b.co" })).toEqual(["ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither"]);
  });
});
