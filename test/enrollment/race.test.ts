// Concurrency: real requests racing for the same seats, through HTTP, against one Redis and MongoDB.
import { MongoClient, ObjectId } from "mongodb";
import { CourseDocument, DisenrollDocument, EnrollDocument } from "../../operations/generated";
import { gql } from "../support/client";
import { createCourse, eventually, signUp, type TestUser } from "../support/factories";
import { startServer, stopAll, type TestServer } from "../support/server";

let a: TestServer;
let b: TestServer;
let teacher: TestUser;
let crowd: TestUser[];
let mongo: MongoClient;

beforeAll(async () => {
  a = await startServer();
  b = await startServer(a.env); // two instances share the seats
  teacher = await signUp(a, "INSTRUCTOR");
  crowd = [];
  for (let i = 0; i < 500; i += 50) crowd.push(...(await Promise.all(Array.from({ length: 50 }, () => signUp(a)))));
  mongo = await MongoClient.connect(a.env.MONGO_URL);
}, 120_000);
afterAll(async () => {
  await mongo?.close();
  await stopAll();
});

const outcome = (r: Awaited<ReturnType<typeof enroll>>) =>
  r.data?.enroll ? r.data.enroll.status : String(r.errors?.[0]?.extensions?.reason);
const enroll = (s: TestUser, courseId: string, i: number) => gql(i % 2 ? a : b, EnrollDocument, { courseId }, s.token);

it("500 concurrent enrolls on capacity 10 + waitlist 5: exactly 10 ENROLLED, 5 WAITLISTED (1..5), 485 COURSE_FULL; ten times", async () => {
  for (let round = 0; round < 10; round++) {
    const course = await createCourse(a, teacher.token, { capacity: 10, reserveCapacity: 5, units: 0 }); // units 0: the same crowd races every round
    const results = await Promise.all(crowd.map((s, i) => enroll(s, course.id, i)));
    const tally: Record<string, number> = {};
    for (const r of results) tally[outcome(r)] = (tally[outcome(r)] ?? 0) + 1;
    expect(tally).toEqual({ ENROLLED: 10, WAITLISTED: 5, COURSE_FULL: 485 });
    const positions = results.flatMap((r) => (r.data?.enroll.status === "WAITLISTED" ? [r.data.enroll.position] : [])).sort();
    expect(positions).toEqual([1, 2, 3, 4, 5]);
    const counts = (await gql(a, CourseDocument, { id: course.id }, teacher.token)).data!.course!;
    expect(counts).toMatchObject({ enrolledCount: 10, waitlistCount: 5, seatsLeft: 0 });

    // The durable copy agrees, once the batch writer has caught up.
    const stored = await eventually(
      () => mongo.db().collection("enrollments").find({ course: new ObjectId(course.id) }).toArray(),
      (docs) => docs.length === 15,
    );
    expect(stored.filter((d) => d.status === "ENROLLED")).toHaveLength(10);
    expect(stored.filter((d) => d.status === "WAITLISTED")).toHaveLength(5);
  }
}, 120_000);

it("concurrent drops and enrolls never overfill and never leave a free seat while someone eligible waits", async () => {
  for (let round = 0; round < 5; round++) {
    const course = await createCourse(a, teacher.token, { capacity: 10, reserveCapacity: 40, units: 0 });
    const group = crowd.slice(round * 60, round * 60 + 60);
    const [seated, waiting, newcomers] = [group.slice(0, 10), group.slice(10, 30), group.slice(30, 60)];
    for (const s of [...seated, ...waiting]) expect((await enroll(s, course.id, 0)).data?.enroll).toBeTruthy();

    const drops = [...seated, ...waiting.slice(0, 5)].map((s, i) => gql(i % 2 ? a : b, DisenrollDocument, { courseId: course.id }, s.token));
    const joins = newcomers.map((s, i) => enroll(s, course.id, i));
    const [dropResults, joinResults] = await Promise.all([Promise.all(drops), Promise.all(joins)]);
    expect(dropResults.map((r) => r.data?.disenroll.status ?? r.errors)).toEqual(dropResults.map(() => "DROPPED"));
    expect(joinResults.filter((r) => !r.data?.enroll)).toEqual([]); // reserve 40 holds everyone

    const c = (await gql(a, CourseDocument, { id: course.id }, teacher.token)).data!.course!;
    const active = 15 + 30; // 15 waiting left + 30 newcomers
    expect(c.enrolledCount).toBe(10); // never more than capacity, and no seat left free...
    expect(c.waitlistCount).toBe(active - 10); // ...while eligible students wait
  }
}, 120_000);
