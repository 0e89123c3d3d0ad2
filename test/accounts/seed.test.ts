// `npm run seed` loads demo accounts into the configured database, idempotently.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { LogInDocument, UsersDocument } from "../../operations/generated";
import { gql } from "../support/client";
import { deploymentEnv, startServer, stopAll } from "../support/server";

const run = promisify(execFile);
const SEED = join(__dirname, "..", "..", "dist", "scripts", "seed.js");
afterAll(stopAll);

it("creates demo accounts once; the demo ADMIN can log in and list them", async () => {
  const env = deploymentEnv();
  const seedEnv = { PATH: process.env.PATH!, ...env };
  const first = await run(process.execPath, [SEED], { env: seedEnv });
  expect(first.stdout).toContain("24 accounts created, 0 already there");
  const second = await run(process.execPath, [SEED], { env: seedEnv });
  expect(second.stdout).toContain("0 accounts created, 24 already there");

  const server = await startServer(env);
  const admin = await gql(server, LogInDocument, { email: "admin@campus.local", password: "campus-live-demo" });
  expect(admin.data!.logIn.user.role).toBe("ADMIN");
  const students = await gql(server, UsersDocument, { first: 100, role: "STUDENT" }, admin.data!.logIn.token);
  expect(students.data!.users.edges).toHaveLength(20);
});

it("refuses to run in production", async () => {
  const env = { PATH: process.env.PATH!, ...deploymentEnv({ NODE_ENV: "production" }) };
  await expect(run(process.execPath, [SEED], { env })).rejects.toMatchObject({ code: 78 });
});
