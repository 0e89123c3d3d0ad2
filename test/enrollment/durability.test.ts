// An acknowledged enrollment is never lost, even when the server is killed right after answering:
// SIGKILL in the middle of a burst, restart, and every acknowledged enrollment is in MongoDB once,
// with the live counts matching the stored enrollments.
import { MongoClient, ObjectId } from "mongodb";
import { CourseDocument, EnrollDocument, MyEnrollmentsDocument } from "../../operations/generated";
import { gql } from "../support/client";
import { createCourse, eventually, signUp, type TestUser } from "../support/factories";
import { deploymentEnv, startServer, stopAll } from "../support/server";
import { forEachConcurrently } from "../../src/platform/async";

afterAll(stopAll);

it("keeps every acknowledged enrollment through a SIGKILL mid-burst", async () => {
  const env = deploymentEnv({ LOG_CLAIM_IDLE_MS: "1000" });
  const first = await startServer(env);
  const teacher = await signUp(first, "INSTRUCTOR");
  const courses = await Promise.all([0, 1, 2].map(() => createCourse(first, teacher.token, { capacity: 150, reserveCapacity: 50, units: 1 })));
  const students: TestUser[] = [];
  for (let i = 0; i < 200; i += 50) students.push(...(await Promise.all(Array.from({ length: 50 }, () => signUp(first)))));
  // Students open their enrollment page first (loads their state into the engine).
  await Promise.all(students.map((s) => gql(first, MyEnrollmentsDocument, {}, s.token)));

  const acknowledged = new Map<string, { course: string; student: string; status: string }>();
  let answered = 0;
  let killed = false;
  // 50 requests in flight at a time (all 600 at once were sometimes all answered before the kill landed).
  const burst = students.flatMap((s) => courses.map((c) => ({ s, c })));
  await forEachConcurrently(
    burst,
    50,
    async ({ s, c }) => {
      try {
        const r = await gql(first, EnrollDocument, { courseId: c.id }, s.token);
        if (r.data?.enroll) acknowledged.set(r.data.enroll.id, { course: c.id, student: s.id, status: r.data.enroll.status });
      } catch {
        /* the connection died with the server: not acknowledged */
      }
      if (++answered === 200 && !killed) {
        killed = true;
        await first.kill();
      }
    },
    () => undefined,
  );
  expect(killed).toBe(true);
  expect(acknowledged.size).toBeGreaterThanOrEqual(200);
  expect(acknowledged.size).toBeLessThan(600);

  const second = await startServer(env);
  const mongo = await MongoClient.connect(env.MONGO_URL);
  try {
    const collection = mongo.db().collection("enrollments");
    const stored = await eventually(
      () => collection.find({ _id: { $in: [...acknowledged.keys()].map((id) => new ObjectId(id)) } }).toArray(),
      (docs) => docs.length === acknowledged.size,
      20_000,
    );
    for (const doc of stored) {
      const ack = acknowledged.get(doc._id.toHexString())!;
      expect({ course: doc.course.toHexString(), student: doc.student.toHexString() }).toEqual({ course: ack.course, student: ack.student });
    }
    // Each (course, student) once, and the live counts equal what is stored.
    for (const c of courses) {
      const docs = await eventually(
        async () => {
          const live = (await gql(second, CourseDocument, { id: c.id }, teacher.token)).data!.course!;
          const rows = await collection.find({ course: new ObjectId(c.id) }).toArray();
          return { live, rows };
        },
        // The batched writer stores enrollments and waitlist places in any order: wait for both.
        ({ live, rows }) =>
          rows.filter((d) => d.status === "ENROLLED").length === live.enrolledCount &&
          rows.filter((d) => d.status === "WAITLISTED").length === live.waitlistCount,
      );
      const pairs = docs.rows.map((d) => d.student.toHexString());
      expect(new Set(pairs).size).toBe(pairs.length);
    }
  } finally {
    await mongo.close();
  }
}, 120_000);
