// A student finding where help is on now: `myOpenOfficeHours` lists the office hours open in the
// courses they hold a seat in (each with its course), and nothing of anyone else's.
import {
  ArchiveCourseDocument,
  CloseOfficeHoursDocument,
  DisenrollDocument,
  EnrollDocument,
  MyOpenOfficeHoursDocument,
} from "../../operations/generated";
import { errorOf, gql } from "../support/client";
import { createCourse, signUp, type TestUser } from "../support/factories";
import { startServer, stopAll, type TestServer } from "../support/server";
import { enrolledStudents, officeHoursCourse, open, type OfficeHoursCourse } from "./setup";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(stopAll);

const mine = async (s: TestUser) => {
  const r = await gql(server, MyOpenOfficeHoursDocument, {}, s.token);
  expect(r.errors).toBeUndefined();
  return r.data!.myOpenOfficeHours;
};
const enroll = async (s: TestUser, courseId: string, status = "ENROLLED") =>
  expect((await gql(server, EnrollDocument, { courseId }, s.token)).data?.enroll.status).toBe(status);

it("lists the open office hours of the courses the student holds a seat in, with the course, in course order", async () => {
  // The student holds seats in `a`, `b` and `c`; `a` and `c` are open, `b` is not; `elsewhere` is open but not theirs.
  const a = await officeHoursCourse(server, 1);
  const student = a.students[0];
  const [b, c, elsewhere] = await Promise.all([officeHoursCourse(server, 0, a.owner), officeHoursCourse(server, 0), officeHoursCourse(server, 1)]);
  await enroll(student, b.id);
  await enroll(student, c.id);
  for (const [course, staff] of [[a, a.ta], [c, c.owner], [elsewhere, elsewhere.owner]] as [OfficeHoursCourse, TestUser][]) {
    expect((await open(server, staff, course.id)).errors).toBeUndefined();
  }

  const got = await mine(student);
  expect(got.map((s) => s.course.id)).toEqual([a.id, c.id].sort());
  const first = got.find((s) => s.course.id === a.id)!;
  expect(first).toMatchObject({ courseId: a.id, open: true, course: { id: a.id, title: "A course" } });
  // On duty, by name only: a student sees a meeting link only for a meeting they are invited to.
  expect(first.staffOnDuty).toEqual([{ staff: { id: a.ta.id }, state: "AVAILABLE", entryId: null, meetingLink: null }]);

  // Closed for everyone: gone from the list; the course stays in the student's other courses.
  expect((await gql(server, CloseOfficeHoursDocument, { courseId: a.id, everyone: true }, a.owner.token)).data?.closeOfficeHours.open).toBe(false);
  expect((await mine(student)).map((s) => s.courseId)).toEqual([c.id]);
  // Dropping the course, or the course being archived, takes its office hours off the list too.
  expect((await gql(server, DisenrollDocument, { courseId: c.id }, student.token)).data?.disenroll.status).toBe("DROPPED");
  expect(await mine(student)).toEqual([]);
  expect((await mine(elsewhere.students[0])).map((s) => s.courseId)).toEqual([elsewhere.id]);
  expect((await gql(server, ArchiveCourseDocument, { id: elsewhere.id }, elsewhere.owner.token)).errors).toBeUndefined();
  expect(await mine(elsewhere.students[0])).toEqual([]);
});

it("shows nothing of courses the student holds no seat in: enrolled nowhere, or only waitlisted", async () => {
  const owner = await signUp(server, "INSTRUCTOR");
  const full = await createCourse(server, owner.token, { capacity: 1, reserveCapacity: 1 });
  const [seated] = await enrolledStudents(server, full.id, 1);
  const [waitlisted, nowhere] = await Promise.all([signUp(server), signUp(server)]);
  await enroll(waitlisted, full.id, "WAITLISTED");
  expect((await open(server, owner, full.id)).errors).toBeUndefined();

  expect((await mine(seated)).map((s) => s.courseId)).toEqual([full.id]);
  expect(await mine(waitlisted)).toEqual([]);
  expect(await mine(nowhere)).toEqual([]);
});

it("is for students: staff are refused by role, anonymous callers asked to sign in", async () => {
  const instructor = await signUp(server, "INSTRUCTOR");
  expect(errorOf(await gql(server, MyOpenOfficeHoursDocument, {}, instructor.token))).toEqual({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
  expect(errorOf(await gql(server, MyOpenOfficeHoursDocument, {}))).toMatchObject({ code: "UNAUTHENTICATED" });
});
