// The catalogue: who may create and change courses, the filters, staff, and the live subscriptions.
import {
  ArchiveCourseDocument,
  AssignInstructorDocument,
  CourseDocument,
  CourseEnrollmentsDocument,
  CourseSeatsChangedDocument,
  CoursesDocument,
  CreateCourseDocument,
  DisenrollDocument,
  EnrollDocument,
  MyEnrollmentChangedDocument,
  RemoveInstructorDocument,
  UpdateCapacityDocument,
  UpdateCourseDocument,
} from "../../operations/generated";
import { errorOf, gql, subscribe, wsClient } from "../support/client";
import { createCourse, logInAdmin, signUp, type TestUser } from "../support/factories";
import { waitForSubscribers } from "../support/redis";
import { startServer, stopAll, type TestServer } from "../support/server";

let a: TestServer;
let b: TestServer;
let owner: TestUser;
let admin: TestUser;
beforeAll(async () => {
  a = await startServer();
  b = await startServer(a.env);
  [owner, admin] = await Promise.all([signUp(a, "INSTRUCTOR"), logInAdmin(a)]);
});
afterAll(stopAll);

describe("creating and changing courses", () => {
  it("instructors and ADMINs create; students cannot; codes are unique", async () => {
    const student = await signUp(a);
    const input = { code: "cs-101x", title: "Intro", category: "CS", department: "Computing", units: 3, capacity: 30 };
    expect(errorOf(await gql(a, CreateCourseDocument, { input }, student.token))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    const made = await gql(a, CreateCourseDocument, { input }, owner.token);
    expect(made.data!.createCourse).toMatchObject({ code: "CS-101X", owner: { id: owner.id }, enrolledCount: 0, seatsLeft: 30 });
    expect(errorOf(await gql(a, CreateCourseDocument, { input }, admin.token))).toEqual({ code: "CONFLICT", reason: "COURSE_CODE_TAKEN" });
    const bad = await gql(a, CreateCourseDocument, { input: { ...input, code: "X1", meetings: [{ day: "MON", start: "10:00", end: "09:00" }] } }, owner.token);
    expect(errorOf(bad)).toEqual({ code: "BAD_USER_INPUT", reason: "INVALID_MEETING" });
  });

  it("only the owner or an ADMIN edits, archives, staffs and resizes", async () => {
    const c = await createCourse(a, owner.token);
    const other = await signUp(a, "INSTRUCTOR");
    for (const r of [
      await gql(a, UpdateCourseDocument, { id: c.id, input: { title: "Hijacked" } }, other.token),
      await gql(a, ArchiveCourseDocument, { id: c.id }, other.token),
      await gql(a, UpdateCapacityDocument, { courseId: c.id, capacity: 99, reserveCapacity: 0 }, other.token),
      await gql(a, AssignInstructorDocument, { courseId: c.id, instructorId: other.id }, other.token),
    ]) {
      expect(errorOf(r)).toEqual({ code: "FORBIDDEN", reason: "NOT_COURSE_OWNER" });
    }
    const renamed = await gql(a, UpdateCourseDocument, { id: c.id, input: { title: "Renamed", units: 4 } }, owner.token);
    expect(renamed.data!.updateCourse).toMatchObject({ title: "Renamed", units: 4 });
    const assigned = await gql(a, AssignInstructorDocument, { courseId: c.id, instructorId: other.id }, owner.token);
    expect(assigned.data!.assignInstructor.instructors).toEqual([{ id: other.id }]);
    // An assigned instructor is staff: sees enrollments, but still cannot manage the course.
    expect((await gql(a, CourseEnrollmentsDocument, { courseId: c.id, first: 5 }, other.token)).errors).toBeUndefined();
    expect(errorOf(await gql(a, ArchiveCourseDocument, { id: c.id }, other.token)).reason).toBe("NOT_COURSE_OWNER");
    const removed = await gql(a, RemoveInstructorDocument, { courseId: c.id, instructorId: other.id }, admin.token);
    expect(removed.data!.removeInstructor.instructors).toEqual([]);
    expect(errorOf(await gql(a, CourseEnrollmentsDocument, { courseId: c.id, first: 5 }, other.token)).reason).toBe("NOT_COURSE_STAFF");
  });
});

describe("the catalogue", () => {
  it("filters by category, department, owner and text; hides archived courses; pages", async () => {
    const tag = `Z${Date.now() % 100000}`;
    const teacher = await signUp(a, "INSTRUCTOR");
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(await createCourse(a, teacher.token, { code: `${tag}${i}`, title: i === 2 ? "Quantum Basket Weaving" : "Other", category: i % 2 ? "ODD" : "EVEN", department: tag }));
    }
    await gql(a, ArchiveCourseDocument, { id: made[4].id }, teacher.token);
    const list = async (filter: object, first = 10) =>
      (await gql(a, CoursesDocument, { filter, first }, owner.token)).data!.courses.edges.map((e) => e.node.code);
    expect(await list({ department: tag })).toEqual([`${tag}0`, `${tag}1`, `${tag}2`, `${tag}3`]);
    expect(await list({ department: tag, category: "ODD" })).toEqual([`${tag}1`, `${tag}3`]);
    expect(await list({ search: "quantum basket" })).toEqual([`${tag}2`]);
    expect(await list({ search: tag.toLowerCase() + "3" })).toEqual([`${tag}3`]);
    expect(await list({ ownerId: teacher.id, includeArchived: true })).toHaveLength(5);
    expect(await list({ search: ".*" })).toEqual([]); // regex characters are literal
    const page1 = await gql(a, CoursesDocument, { filter: { department: tag }, first: 3 }, owner.token);
    expect(page1.data!.courses.pageInfo.hasNextPage).toBe(true);
    const page2 = await gql(a, CoursesDocument, { filter: { department: tag }, first: 3, after: page1.data!.courses.pageInfo.endCursor }, owner.token);
    expect(page2.data!.courses.edges.map((e) => e.node.code)).toEqual([`${tag}3`]);
    expect(errorOf(await gql(a, CoursesDocument, { first: 5 }))).toMatchObject({ code: "UNAUTHENTICATED" });
    expect((await gql(a, CourseDocument, { id: "0123456789abcdef01234567" }, owner.token)).data!.course).toBeNull();
  });
});

describe("live subscriptions", () => {
  it("courseSeatsChanged sends the current counts first, then every change, across instances", async () => {
    const c = await createCourse(a, owner.token, { capacity: 2, reserveCapacity: 1 });
    const [s1, s2] = await Promise.all([signUp(a), signUp(a)]);
    await gql(a, EnrollDocument, { courseId: c.id }, s1.token);
    const client = wsClient(a, owner.token);
    const feed = subscribe(client, CourseSeatsChangedDocument, { courseId: c.id });
    expect((await feed.next()).courseSeatsChanged).toEqual({ courseId: c.id, capacity: 2, enrolledCount: 1, waitlistCount: 0, seatsLeft: 1 });
    await waitForSubscribers(a.env, `course-seats:${c.id}`);
    await gql(b, EnrollDocument, { courseId: c.id }, s2.token);
    expect((await feed.next()).courseSeatsChanged).toMatchObject({ enrolledCount: 2, seatsLeft: 0 });
    await gql(b, UpdateCapacityDocument, { courseId: c.id, capacity: 3, reserveCapacity: 1 }, owner.token);
    expect((await feed.next()).courseSeatsChanged).toMatchObject({ capacity: 3, seatsLeft: 1 });
    await client.dispose();
  });

  it("myEnrollmentChanged tells a waitlisted student they got the seat", async () => {
    const c = await createCourse(a, owner.token, { capacity: 1, reserveCapacity: 1 });
    const [seated, waiting] = await Promise.all([signUp(a), signUp(a)]);
    await gql(a, EnrollDocument, { courseId: c.id }, seated.token);
    await gql(a, EnrollDocument, { courseId: c.id }, waiting.token);
    const client = wsClient(b, waiting.token);
    const feed = subscribe(client, MyEnrollmentChangedDocument, {});
    await waitForSubscribers(a.env, `my-enrollments:${waiting.id}`);
    await gql(a, DisenrollDocument, { courseId: c.id }, seated.token);
    expect((await feed.next()).myEnrollmentChanged).toMatchObject({ status: "ENROLLED", course: { id: c.id } });
    await client.dispose();
  });
});
