// `npm run seed:attendance -- [--regions N] [--schools N] [--groups N] [--students N] [--days N]
// [--periods N] [--mark-rate X] [--seed N]`: generates an attendance dataset (schools per region,
// groups per school, students per group, a term of completed registers) into MONGO_URL and its
// rollups into REDIS_URL, streaming (bounded memory at any size). Teachers get the demo password.
import "reflect-metadata";
import { parseArgs } from "node:util";
import { PasswordHasher } from "../src/auth/passwords";
import { generateDataset } from "./lib/attendanceDataset";
import { loadConfigOrExit } from "../src/platform/config";
import { createLogger } from "../src/platform/logger";
import { createRuntime } from "../src/runtime";

const DEMO_PASSWORD = "campus-live-demo";

async function main() {
  const { values } = parseArgs({
    options: {
      regions: { type: "string", default: "1" },
      schools: { type: "string", default: "3" },
      groups: { type: "string", default: "10" },
      students: { type: "string", default: "30" },
      days: { type: "string", default: "20" },
      periods: { type: "string", default: "6" },
      "mark-rate": { type: "string", default: "0.08" },
      seed: { type: "string", default: "1" },
    },
  });
  const config = loadConfigOrExit();
  if (config.isProduction) {
    console.error("seed:attendance: refusing to generate demo data in production");
    process.exit(78);
  }
  if (!config.MONGO_URL || !config.REDIS_URL) {
    console.error("seed:attendance: set MONGO_URL and REDIS_URL to the services the server uses");
    process.exit(78);
  }
  const runtime = await createRuntime(config, createLogger("warn"));
  try {
    const hash = await new PasswordHasher(config.PASSWORD_HASH_MEMORY_KIB, 1).hash(DEMO_PASSWORD);
    let schools = 0;
    const totals = await generateDataset(
      {
        regions: Number(values.regions),
        schoolsPerRegion: Number(values.schools),
        groupsPerSchool: Number(values.groups),
        studentsPerGroup: Number(values.students),
        days: Number(values.days),
        periodsPerDay: Number(values.periods),
        markRate: Number(values["mark-rate"]),
        timeZone: config.ATTENDANCE_DEFAULT_TIME_ZONE,
        seed: Number(values.seed),
        teacherPasswordHash: hash,
      },
      runtime.services.attendanceEngine,
      config.ATTENDANCE_CORRECTION_DAYS,
      (s) => {
        if (++schools % 10 === 0 || schools === 1) console.log(`seed:attendance: ${schools} schools (last ${s.schoolId}, ${s.region}, ${s.from}..${s.to})`);
      },
    );
    console.log(
      `seed:attendance: ${totals.schools} schools, ${totals.groups} groups, ${totals.students} students, ${totals.lessons} registers, ` +
        `${totals.absences} marks in ${(totals.ms / 1000).toFixed(1)} s; teachers sign in with "${DEMO_PASSWORD}" (teacher-<id>@teachers.invalid)`,
    );
  } finally {
    await runtime.close();
  }
}

main().catch((e) => {
  console.error(`seed:attendance failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
