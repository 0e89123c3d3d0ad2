// `npm run seed`: demo accounts for exploring the API in Apollo Sandbox. Idempotent.
// Needs MONGO_URL (embedded data would vanish with this process); REDIS_URL as for the server.
import "reflect-metadata";
import { createRuntime } from "../src/runtime";
import type { SignUpInput } from "../src/domain/accounts";
import { loadConfigOrExit } from "../src/platform/config";
import { createLogger } from "../src/platform/logger";

const DEMO_PASSWORD = "campus-live-demo";

const accounts: SignUpInput[] = [
  { email: "admin@campus.local", name: "Ada Admin", role: "ADMIN", password: DEMO_PASSWORD },
  { email: "observer@campus.local", name: "Otto Observer", role: "OBSERVER", password: DEMO_PASSWORD },
  { email: "prof.turing@campus.local", name: "Alan Turing", role: "INSTRUCTOR", password: DEMO_PASSWORD },
  { email: "ta.hopper@campus.local", name: "Grace Hopper", role: "INSTRUCTOR", password: DEMO_PASSWORD },
  ...Array.from({ length: 20 }, (_, i) => ({
    email: `student${i + 1}@campus.local`,
    name: `Student ${i + 1}`,
    role: "STUDENT" as const,
    sex: i % 2 ? ("MALE" as const) : ("FEMALE" as const),
    password: DEMO_PASSWORD,
  })),
];

async function main() {
  const config = loadConfigOrExit();
  if (config.isProduction) {
    console.error("seed: refusing to create demo accounts with a known password in production");
    process.exit(78);
  }
  if (!config.MONGO_URL) {
    console.error("seed: set MONGO_URL to the database the server uses (embedded data would vanish with this process)");
    process.exit(78);
  }
  const logger = createLogger("warn");
  const runtime = await createRuntime(config, logger);
  try {
    let created = 0;
    for (const account of accounts) if (await runtime.services.accounts.createAccount(account)) created++;
    console.log(`seed: ${created} accounts created, ${accounts.length - created} already there`);
    console.log(`seed: every demo account's password is "${DEMO_PASSWORD}" (admin@campus.local is ADMIN)`);
  } finally {
    await runtime.close();
  }
}

main().catch((e) => {
  console.error(`seed failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
