// Enrollment as students and staff use it: seats, waitlist, promotion, switch, forced moves, and
// every reason of SPEC 4.2, each produced by a request.
import {
  DisenrollDocument,
  EnrollDocument,
  ForceDisenrollDocument,
  ForceEnrollDocument,
  MyEnrollmentsDocument,
  SetEnrollmentProfileDocument,
  SwitchCourseDocument,
  UpdateCapacityDocument,
  CourseDocument,
  ArchiveCourseDocument,
  CourseEnrollmentsDocument,
  type CreateCourseInput,
} from "../../operations/generated";
import { DomainEventsDocument } from "../../operations/generated";
import { errorOf, gql, subscribe, wsClient } from "../support/client";
import { waitForSubscribers } from "../support/redis";
import { createCourse, logInAdmin, signUp, type TestUser } from "../support/factories";
import { startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
let teacher: TestUser;
let admin: TestUser;
beforeAll(async () => {
  server = await startServer();
  [teacher, admin] = await Promise.all([signUp(server, "INSTRUCTOR"), logInAdmin(server)]);
});
afterAll(stopAll);

const course = (input: Partial<CreateCourseInput> = {}) => createCourse(server, teacher.token, input);
const enroll = (s: TestUser, courseId: string) => gql(server, EnrollDocument, { courseId }, s.token);
const drop = (s: TestUser, courseId: string) => gql(server, DisenrollDocument, { courseId }, s.token);
const seats = async (id: string) => (await gql(server, CourseDocument, { id }, teacher.token)).data!.course!;
const students = (n: number, sex?: "FEMALE" | "MALE") => Promise.all(Array.from({ length: n }, () => signUp(server, "STUDENT", { sex })));
const hour = 3600_000;

describe("seats and the waitlist", () => {
  it("gives seats, then waitlist places with positions, then COURSE_FULL", async () => {
    const c = await course({ capacity: 2, reserveCapacity: 2 });
    const [a, b, x, y, z] = await students(5);
    expect((await enroll(a, c.id)).data!.enroll).toMatchObject({ status: "ENROLLED", position: null, course: { id: c.id } });
    expect((await enroll(b, c.id)).data!.enroll.status).toBe("ENROLLED");
    expect((await enroll(x, c.id)).data!.enroll).toMatchObject({ status: "WAITLISTED", position: 1 });
    expect((await enroll(y, c.id)).data!.enroll).toMatchObject({ status: "WAITLISTED", position: 2 });
    expect(errorOf(await enroll(z, c.id))).toEqual({ code: "CONFLICT", reason: "COURSE_FULL" });
    expect(await seats(c.id)).toMatchObject({ enrolledCount: 2, waitlistCount: 2, seatsLeft: 0 });
  });

  it("a freed seat goes to the first waitlisted student, who is told; positions move up", async () => {
    const c = await course({ capacity: 1, reserveCapacity: 3 });
    const [a, x, y] = await students(3);
    await enroll(a, c.id);
    await enroll(x, c.id);
    await enroll(y, c.id);
    expect((await drop(a, c.id)).data!.disenroll.status).toBe("DROPPED");
    const mine = (s: TestUser) => gql(server, MyEnrollmentsDocument, {}, s.token).then((r) => r.data!.myEnrollments);
    expect(await mine(x)).toEqual([expect.objectContaining({ status: "ENROLLED", course: expect.objectContaining({ id: c.id }) })]);
    expect(await mine(y)).toEqual([expect.objectContaining({ status: "WAITLISTED", position: 1 })]);
    expect(await seats(c.id)).toMatchObject({ enrolledCount: 1, waitlistCount: 1 });
  });

  it("skips an ineligible waitlisted student, who keeps their place", async () => {
    const c = await course({ capacity: 1, reserveCapacity: 3, units: 4 });
    const other = await course({ units: 4, capacity: 5 });
    const [a, x, y] = await students(3);
    await enroll(a, c.id);
    await enroll(x, c.id); // waits first
    await enroll(y, c.id);
    // x now takes a 4-unit course and is capped at 6 units: c (4 more) no longer fits.
    await enroll(x, other.id);
    await gql(server, SetEnrollmentProfileDocument, { studentId: x.id, input: { maxUnits: 6 } }, admin.token);
    await drop(a, c.id);
    const list = await gql(server, CourseEnrollmentsDocument, { courseId: c.id, first: 10 }, teacher.token);
    expect(list.data!.courseEnrollments.edges.map((e) => [e.node.student!.id, e.node.status, e.node.position])).toEqual([
      [y.id, "ENROLLED", null],
      [x.id, "WAITLISTED", 1],
    ]);
  });

  it("raising the capacity promotes from the waitlist; lowering it below enrolled is refused", async () => {
    const c = await course({ capacity: 1, reserveCapacity: 2 });
    const [a, x] = await students(2);
    await enroll(a, c.id);
    await enroll(x, c.id);
    const low = await gql(server, UpdateCapacityDocument, { courseId: c.id, capacity: 0, reserveCapacity: 2 }, teacher.token);
    expect(errorOf(low)).toEqual({ code: "CONFLICT", reason: "CAPACITY_BELOW_ENROLLED" });
    const up = await gql(server, UpdateCapacityDocument, { courseId: c.id, capacity: 2, reserveCapacity: 2 }, teacher.token);
    expect(up.data!.updateCapacity).toMatchObject({ capacity: 2, enrolledCount: 2, waitlistCount: 0 });
  });

  it("records the price paid on priced courses", async () => {
    const c = await course({ price: 149.5 });
    const [a] = await students(1);
    expect((await enroll(a, c.id)).data!.enroll.pricePaid).toBe(149.5);
  });
});

describe("switchCourse", () => {
  it("moves a student atomically, or keeps the old course when the new one is full", async () => {
    const from = await course();
    const to = await course({ capacity: 1 });
    const full = await course({ capacity: 0, reserveCapacity: 5 });
    const [a] = await students(1);
    await enroll(a, from.id);
    expect(errorOf(await gql(server, SwitchCourseDocument, { fromCourseId: from.id, toCourseId: full.id }, a.token))).toEqual({
      code: "CONFLICT",
      reason: "COURSE_FULL",
    });
    expect((await gql(server, MyEnrollmentsDocument, {}, a.token)).data!.myEnrollments.map((e) => e.course.id)).toEqual([from.id]);
    const ok = await gql(server, SwitchCourseDocument, { fromCourseId: from.id, toCourseId: to.id }, a.token);
    expect(ok.data!.switchCourse).toMatchObject({ dropped: { status: "DROPPED" }, enrolled: { status: "ENROLLED" } });
    expect((await gql(server, MyEnrollmentsDocument, {}, a.token)).data!.myEnrollments.map((e) => e.course.id)).toEqual([to.id]);
    expect(errorOf(await gql(server, SwitchCourseDocument, { fromCourseId: from.id, toCourseId: to.id }, a.token)).reason).toBe(
      "NOT_ENROLLED",
    );
  });
});

describe("every reason of SPEC 4.2", () => {
  it("COURSE_ARCHIVED, and archiving keeps the enrollments", async () => {
    const c = await course();
    const [a, b] = await students(2);
    await enroll(a, c.id);
    await gql(server, ArchiveCourseDocument, { id: c.id }, teacher.token);
    expect(errorOf(await enroll(b, c.id))).toEqual({ code: "CONFLICT", reason: "COURSE_ARCHIVED" });
    expect(await seats(c.id)).toMatchObject({ archived: true, enrolledCount: 1 });
  });

  it("NOT_ENROLLMENT_TIME before the window, after it, and before a personal time ticket", async () => {
    const now = Date.now();
    const early = await course({ enrollmentOpensAt: new Date(now + hour).toISOString() });
    const late = await course({ enrollmentClosesAt: new Date(now - hour).toISOString(), enrollmentOpensAt: new Date(now - 2 * hour).toISOString() });
    const open = await course();
    const [a, b] = await students(2);
    expect(errorOf(await enroll(a, early.id))).toEqual({ code: "FORBIDDEN", reason: "NOT_ENROLLMENT_TIME" });
    expect(errorOf(await enroll(a, late.id)).reason).toBe("NOT_ENROLLMENT_TIME");
    await gql(server, SetEnrollmentProfileDocument, { studentId: b.id, input: { enrollmentStartsAt: new Date(now + hour).toISOString() } }, admin.token);
    expect(errorOf(await enroll(b, open.id)).reason).toBe("NOT_ENROLLMENT_TIME");
    expect((await enroll(a, open.id)).data!.enroll.status).toBe("ENROLLED");
  });

  it("ALREADY_ENROLLED for a seat or a waitlist place", async () => {
    const c = await course({ capacity: 1, reserveCapacity: 1 });
    const [a, b] = await students(2);
    await enroll(a, c.id);
    await enroll(b, c.id);
    expect(errorOf(await enroll(a, c.id))).toEqual({ code: "CONFLICT", reason: "ALREADY_ENROLLED" });
    expect(errorOf(await enroll(b, c.id)).reason).toBe("ALREADY_ENROLLED");
  });

  it("SEX_RESTRICTED, and PROFILE_INCOMPLETE without a recorded sex", async () => {
    const c = await course({ sexRestriction: "FEMALE_ONLY" });
    const [f] = await students(1, "FEMALE");
    const [m] = await students(1, "MALE");
    const [unknown] = await students(1);
    expect(errorOf(await enroll(m, c.id))).toEqual({ code: "FORBIDDEN", reason: "SEX_RESTRICTED" });
    expect(errorOf(await enroll(unknown, c.id))).toEqual({ code: "CONFLICT", reason: "PROFILE_INCOMPLETE" });
    expect((await enroll(f, c.id)).data!.enroll.status).toBe("ENROLLED");
  });

  it("UNIT_LIMIT over the student's cap", async () => {
    const [a] = await students(1);
    await gql(server, SetEnrollmentProfileDocument, { studentId: a.id, input: { maxUnits: 5 } }, admin.token);
    await enroll(a, (await course({ units: 3 })).id);
    expect(errorOf(await enroll(a, (await course({ units: 3 })).id))).toEqual({ code: "CONFLICT", reason: "UNIT_LIMIT" });
  });

  it("TIME_CONFLICT and EXAM_CONFLICT with the student's courses", async () => {
    const exam = new Date(Date.now() + 30 * 24 * hour).toISOString();
    const mon = await course({ meetings: [{ day: "MON", start: "09:00", end: "10:30" }], examAt: exam });
    const overlap = await course({ meetings: [{ day: "MON", start: "10:00", end: "11:00" }] });
    const sameExam = await course({ meetings: [{ day: "TUE", start: "09:00", end: "10:00" }], examAt: exam });
    const fine = await course({ meetings: [{ day: "MON", start: "10:30", end: "12:00" }] });
    const [a] = await students(1);
    await enroll(a, mon.id);
    expect(errorOf(await enroll(a, overlap.id))).toEqual({ code: "CONFLICT", reason: "TIME_CONFLICT" });
    expect(errorOf(await enroll(a, sameExam.id))).toEqual({ code: "CONFLICT", reason: "EXAM_CONFLICT" });
    expect((await enroll(a, fine.id)).data!.enroll.status).toBe("ENROLLED");
  });

  it("NOT_ENROLLED and NO_CHANGES_LEFT when dropping", async () => {
    const [c1, c2] = await Promise.all([course(), course()]);
    const [a] = await students(1);
    expect(errorOf(await drop(a, c1.id))).toEqual({ code: "CONFLICT", reason: "NOT_ENROLLED" });
    await gql(server, SetEnrollmentProfileDocument, { studentId: a.id, input: { remainingChanges: 1 } }, admin.token);
    await enroll(a, c1.id);
    await enroll(a, c2.id);
    expect((await drop(a, c1.id)).data!.disenroll.status).toBe("DROPPED");
    expect(errorOf(await drop(a, c2.id))).toEqual({ code: "CONFLICT", reason: "NO_CHANGES_LEFT" });
  });

  it("checks in SPEC order: archived before window before already-enrolled", async () => {
    const c = await course({ capacity: 5 });
    const [a] = await students(1);
    await enroll(a, c.id);
    await gql(server, SetEnrollmentProfileDocument, { studentId: a.id, input: { enrollmentStartsAt: new Date(Date.now() + hour).toISOString() } }, admin.token);
    expect(errorOf(await enroll(a, c.id)).reason).toBe("NOT_ENROLLMENT_TIME");
    await gql(server, ArchiveCourseDocument, { id: c.id }, teacher.token);
    expect(errorOf(await enroll(a, c.id)).reason).toBe("COURSE_ARCHIVED");
  });

  it("NOT_FOUND for an unknown course", async () => {
    const [a] = await students(1);
    expect(errorOf(await enroll(a, "0123456789abcdef01234567"))).toEqual({ code: "NOT_FOUND", reason: "COURSE_NOT_FOUND" });
    expect(errorOf(await enroll(a, "nope"))).toEqual({ code: "NOT_FOUND", reason: "COURSE_NOT_FOUND" });
  });
});

describe("forced moves and authorization", () => {
  it("an ADMIN force-enrolls past capacity and force-disenrolls; students and instructors cannot", async () => {
    const c = await course({ capacity: 1 });
    const [a, b] = await students(2);
    await enroll(a, c.id);
    expect(errorOf(await gql(server, ForceEnrollDocument, { courseId: c.id, studentId: b.id }, a.token))).toEqual({
      code: "FORBIDDEN",
      reason: "ROLE_REQUIRED",
    });
    expect(errorOf(await gql(server, ForceEnrollDocument, { courseId: c.id, studentId: b.id }, teacher.token)).code).toBe("FORBIDDEN");
    const client = wsClient(server, admin.token);
    const audit = subscribe(client, DomainEventsDocument, { names: ["StudentEnrolled", "StudentDisenrolled"] });
    await waitForSubscribers(server.env, "events");
    const forced = await gql(server, ForceEnrollDocument, { courseId: c.id, studentId: b.id }, admin.token);
    expect(forced.data!.forceEnroll.status).toBe("ENROLLED");
    expect((await audit.next()).domainEvents).toMatchObject({
      name: "StudentEnrolled",
      actor: { userId: admin.id, role: "ADMIN" },
      payload: { courseId: c.id, studentId: b.id, forced: true },
    });
    expect(await seats(c.id)).toMatchObject({ enrolledCount: 2, capacity: 1, seatsLeft: 0 });
    expect((await gql(server, ForceDisenrollDocument, { courseId: c.id, studentId: a.id }, admin.token)).data!.forceDisenroll.status).toBe(
      "DROPPED",
    );
    expect((await audit.next()).domainEvents).toMatchObject({ name: "StudentDisenrolled", payload: { studentId: a.id, forced: true } });
    await client.dispose();
  });

  it("only staff see a course's enrollments; students only their own", async () => {
    const c = await course();
    const [a] = await students(1);
    await enroll(a, c.id);
    const otherTeacher = await signUp(server, "INSTRUCTOR");
    const asStudent = await gql(server, CourseEnrollmentsDocument, { courseId: c.id, first: 10 }, a.token);
    expect(errorOf(asStudent)).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    const asOther = await gql(server, CourseEnrollmentsDocument, { courseId: c.id, first: 10 }, otherTeacher.token);
    expect(errorOf(asOther)).toEqual({ code: "FORBIDDEN", reason: "NOT_COURSE_STAFF" });
    const asOwner = await gql(server, CourseEnrollmentsDocument, { courseId: c.id, first: 10 }, teacher.token);
    expect(asOwner.data!.courseEnrollments.edges.map((e) => e.node.student!.id)).toEqual([a.id]);
    expect(errorOf(await enroll(teacher, c.id))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    expect(errorOf(await gql(server, EnrollDocument, { courseId: c.id })).code).toBe("UNAUTHENTICATED");
  });
});
