// Enrollment windows and personal time tickets at their exact edges, with an injected clock: the
// domain service runs here against the real MongoDB-compatible server and Redis, at chosen instants.
import "reflect-metadata";
import { Types } from "mongoose";
import type { AuthUser } from "../../src/auth/tokens";
import { UserModel } from "../../src/models/user";
import { loadConfig } from "../../src/platform/config";
import { createLogger } from "../../src/platform/logger";
import { createRuntime, type Runtime } from "../../src/runtime";
import { deploymentEnv } from "../support/server";

let now = 0;
let runtime: Runtime;
const admin: AuthUser = { id: new Types.ObjectId().toHexString(), role: "ADMIN" };

beforeAll(async () => {
  runtime = await createRuntime(loadConfig(deploymentEnv()), createLogger("silent"), () => now);
});
afterAll(() => runtime?.close());

async function student(label: string): Promise<AuthUser> {
  const email = `${label}.${Date.now()}@campus.test`;
  await runtime.services.accounts.createAccount({ email, password: "long enough pw", name: label, role: "STUDENT" });
  const user = await UserModel.findOne({ email }).lean();
  return { id: user!._id.toHexString(), role: "STUDENT" };
}

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e: { reason?: string }) => e.reason,
  );

it("opens at enrollmentOpensAt, closes after enrollmentClosesAt, and a time ticket holds a student back until it", async () => {
  const opens = Date.UTC(2027, 0, 10, 8, 0);
  const closes = Date.UTC(2027, 0, 20, 17, 0);
  now = opens - 60_000;
  const course = await runtime.services.courses.create(admin, {
    code: `WIN${Date.now() % 100000}`,
    title: "Windowed",
    category: "CS",
    department: "Computing",
    units: 3,
    capacity: 10,
    enrollmentOpensAt: new Date(opens),
    enrollmentClosesAt: new Date(closes),
  });
  const id = course._id.toHexString();
  const [a, b, c, d] = await Promise.all(["a", "b", "c", "d"].map(student));
  const { enrollment } = runtime.services;

  now = opens - 1;
  expect(await reasonOf(enrollment.enroll(a, id))).toBe("NOT_ENROLLMENT_TIME");
  now = opens;
  expect(await reasonOf(enrollment.enroll(a, id))).toBe("OK");
  now = closes;
  expect(await reasonOf(enrollment.enroll(b, id))).toBe("OK");
  now = closes + 1;
  expect(await reasonOf(enrollment.enroll(c, id))).toBe("NOT_ENROLLMENT_TIME");
  expect(await reasonOf(enrollment.disenroll(a, id))).toBe("NOT_ENROLLMENT_TIME");
  // ADMINs act outside the window.
  expect(await reasonOf(enrollment.forceEnroll(admin, id, c.id))).toBe("OK");

  const ticket = opens + 3 * 3600_000;
  await enrollment.setProfile(admin, d.id, { enrollmentStartsAt: new Date(ticket) });
  now = ticket - 1;
  expect(await reasonOf(enrollment.enroll(d, id))).toBe("NOT_ENROLLMENT_TIME");
  now = ticket;
  expect(await reasonOf(enrollment.enroll(d, id))).toBe("OK");
  expect((await enrollment.seats(id)).enrolled).toBe(4);
});
