import { existsSync } from "node:fs";
import { join } from "node:path";

export default function globalSetup(): void {
  const missing = ["MONGO_URL", "REDIS_URL"].filter((v) => !process.env[v]);
  if (missing.length) {
    throw new Error(`${missing.join(" and ")} not set: run the tests with \`npm test\` (scripts/with-services.sh starts them)`);
  }
  if (!existsSync(join(__dirname, "..", "..", "dist", "src", "main.js"))) {
    throw new Error("dist/src/main.js missing: `npm test` builds it first (pretest)");
  }
}
