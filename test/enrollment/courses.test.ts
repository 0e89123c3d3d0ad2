// The catalogue: who may create and change courses, the filters, staff, the live subscriptions,
// and the input it refuses.
import { MongoClient, ObjectId } from "mongodb";
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
import { createCourse, eventually, logInAdmin, signUp, type TestUser } from "../support/factories";
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

  it("pageInfo says where a page sits: hasPreviousPage when asked with after, startCursor and endCursor its first and last edges", async () => {
    const tag = `P${Date.now() % 100000}`;
    for (let i = 0; i < 3; i++) await createCourse(a, owner.token, { code: `${tag}${i}`, department: tag });
    const page = async (after?: string | null) => (await gql(a, CoursesDocument, { filter: { department: tag }, first: 2, after }, owner.token)).data!.courses;
    const page1 = await page();
    expect(page1.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: page1.edges[0].cursor, endCursor: page1.edges[1].cursor });
    const page2 = await page(page1.pageInfo.endCursor);
    expect(page2.edges.map((e) => e.node.code)).toEqual([`${tag}2`]);
    expect(page2.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: page2.edges[0].cursor, endCursor: page2.edges[0].cursor });
    const empty = await page(page2.pageInfo.endCursor);
    expect(empty.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it("staffId finds the courses a user owns or is assigned to (a TA's courses), archived ones with includeArchived", async () => {
    const tag = `S${Date.now() % 100000}`;
    const [teacher, ta] = await Promise.all([signUp(a, "INSTRUCTOR"), signUp(a, "INSTRUCTOR")]);
    await createCourse(a, teacher.token, { code: `${tag}0`, department: tag }); // owned, not assigned to the TA
    const taught = await createCourse(a, teacher.token, { code: `${tag}1`, department: tag });
    const archived = await createCourse(a, teacher.token, { code: `${tag}2`, department: tag });
    await createCourse(a, ta.token, { code: `${tag}3`, department: tag });
    for (const c of [taught, archived]) await gql(a, AssignInstructorDocument, { courseId: c.id, instructorId: ta.id }, teacher.token);
    await gql(a, ArchiveCourseDocument, { id: archived.id }, teacher.token);
    const codes = async (filter: object, on = a) => (await gql(on, CoursesDocument, { filter, first: 10 }, owner.token)).data!.courses.edges.map((e) => e.node.code);
    expect(await codes({ staffId: ta.id, department: tag })).toEqual([`${tag}1`, `${tag}3`]);
    expect(await codes({ staffId: ta.id, department: tag, includeArchived: true })).toEqual([`${tag}1`, `${tag}2`, `${tag}3`]);
    expect(await codes({ staffId: teacher.id, department: tag })).toEqual([`${tag}0`, `${tag}1`]);
    expect(await codes({ ownerId: ta.id, department: tag })).toEqual([`${tag}3`]);
    // The other instance's catalogue follows the assignments.
    await eventually(() => codes({ staffId: ta.id, department: tag }, b), (got) => got.join() === `${tag}1,${tag}3`);
    expect(errorOf(await gql(a, CoursesDocument, { filter: { staffId: "nope" }, first: 1 }, owner.token)).code).toBe("BAD_USER_INPUT");
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

describe("input the catalogue refuses, with nothing written", () => {
  const fieldsOf = async (id: string) => (await gql(a, CourseDocument, { id }, owner.token)).data!.course!;

  it("updateCourse: null for a required field, blank text or control characters are BAD_USER_INPUT; the course and search stay intact", async () => {
    const c = await createCourse(a, owner.token, { title: "Intact" });
    const before = await fieldsOf(c.id);
    const attempts: Record<string, unknown>[] = [
      { code: null },
      { title: null },
      { category: null },
      { department: null },
      { units: null },
      { code: "   " },
      { title: " \t " },
      { code: "CS\u202e101" },
      { title: "Evil\u2066title" },
      { category: "A\u0007B" },
      { department: "Line\nbreak" },
      { price: 1e308 },
      { examAt: "0001-01-01T00:00:00.000Z" },
      { enrollmentClosesAt: "2200-01-01T00:00:00.000Z" },
    ];
    for (const input of attempts) {
      const r = await gql(a, UpdateCourseDocument, { id: c.id, input: input as never }, owner.token);
      expect({ input, ...errorOf(r) }).toMatchObject({ input, code: "BAD_USER_INPUT" });
    }
    expect(await fieldsOf(c.id)).toEqual(before);
    // Every user's search still answers (it read each course's code and title).
    const student = await signUp(a);
    const found = await gql(a, CoursesDocument, { filter: { search: "intact" }, first: 100 }, student.token);
    expect(found.errors).toBeUndefined();
    expect(found.data!.courses.edges.map((e) => e.node.id)).toContain(c.id);
  });

  it("null for an optional field stores its default; null for a date clears it", async () => {
    const c = await createCourse(a, owner.token, { price: 50, sexRestriction: "FEMALE_ONLY", description: "Text" });
    const r = await gql(a, UpdateCourseDocument, { id: c.id, input: { price: null, sexRestriction: null, description: null, examAt: null } }, owner.token);
    expect(r.errors).toBeUndefined();
    expect(r.data!.updateCourse).toMatchObject({ price: 0, sexRestriction: "NONE" });
    const mongo = await MongoClient.connect(a.env.MONGO_URL);
    try {
      const stored = await mongo.db().collection("courses").findOne({ _id: new ObjectId(c.id) });
      expect(stored).toMatchObject({ price: 0, sexRestriction: "NONE", description: "", examAt: null });
    } finally {
      await mongo.close();
    }
  });

  it("createCourse: blank or unsafe codes and titles, prices and dates out of range, an owner that is not an id", async () => {
    const input = { code: "OK1", title: "T", category: "CS", department: "Computing", units: 3, capacity: 10 };
    const attempts: Record<string, unknown>[] = [
      { code: "   " },
      { code: "A\u202dB" },
      { code: "A\u0085B" },
      { title: "\u2067x" },
      { title: "x".repeat(201) },
      { price: 1e308 },
      { price: -1 },
      { examAt: "0001-01-01T00:00:00.000Z" },
      { enrollmentOpensAt: "1999-12-31T23:59:59.000Z" },
      { ownerId: "x" },
    ];
    for (const over of attempts) {
      const r = await gql(a, CreateCourseDocument, { input: { ...input, ...over } as never }, admin.token);
      expect({ over, ...errorOf(r) }).toMatchObject({ over, code: "BAD_USER_INPUT" });
    }
    const list = await gql(a, CoursesDocument, { filter: { search: "OK1" }, first: 10 }, owner.token);
    expect(list.data!.courses.edges).toEqual([]);
  });

  it("updateCourse to another course's code is COURSE_CODE_TAKEN and changes nothing", async () => {
    const [x, y] = [await createCourse(a, owner.token), await createCourse(a, owner.token)];
    const r = await gql(a, UpdateCourseDocument, { id: y.id, input: { code: x.code.toLowerCase(), title: "Renamed" } }, owner.token);
    expect(errorOf(r)).toEqual({ code: "CONFLICT", reason: "COURSE_CODE_TAKEN" });
    expect(await fieldsOf(y.id)).toMatchObject({ code: y.code, title: "A course" });
  });

  it("courses(filter: {ownerId}) that is not an id is BAD_USER_INPUT, not an empty page", async () => {
    const r = await gql(a, CoursesDocument, { filter: { ownerId: "x" }, first: 10 }, owner.token);
    expect(errorOf(r).code).toBe("BAD_USER_INPUT");
    expect(r.errors![0].extensions!.fields).toEqual([expect.objectContaining({ field: "ownerId" })]);
  });

  it("a stored course lacking its code and title breaks neither search nor that course's fields", async () => {
    const c = await createCourse(a, owner.token);
    const helper = await signUp(a, "INSTRUCTOR");
    const mongo = await MongoClient.connect(a.env.MONGO_URL);
    try {
      await mongo.db().collection("courses").updateOne({ _id: new ObjectId(c.id) }, { $unset: { code: "", title: "" } });
    } finally {
      await mongo.close();
    }
    // A write of the course puts the stored document in the instance's catalogue.
    expect((await gql(a, AssignInstructorDocument, { courseId: c.id, instructorId: helper.id }, owner.token)).errors).toBeUndefined();
    const student = await signUp(a);
    const search = await gql(a, CoursesDocument, { filter: { search: "a course" }, first: 100 }, student.token);
    expect(search.errors).toBeUndefined();
    const one = await gql(a, CourseDocument, { id: c.id }, student.token);
    expect(one.errors).toBeUndefined();
    expect(one.data!.course).toMatchObject({ id: c.id, code: "", title: "" });
  });
});
