// Finding quizzes: `quizzes` (filters, pages) and `Course.quizzes`, seen as `quiz` is seen: a course's
// staff and its students holding a seat see its quizzes, ADMINs every quiz, anyone else none.
import {
  AssignInstructorDocument,
  CloseQuizDocument,
  CourseQuizzesDocument,
  DisenrollDocument,
  EnrollDocument,
  QuizzesDocument,
  UpdateCapacityDocument,
  type QuizFilterInput,
} from "../../operations/generated";
import { errorOf, gql } from "../support/client";
import { accountWithRole, createCourse, logInAdmin, signUp, type TestUser } from "../support/factories";
import { createQuiz, questions, quizClass, type QuizClass } from "../support/quizzes";
import { startServer, stopAll, type TestServer } from "../support/server";

let server: TestServer;
/** Course A: its teacher (owner), a TA, and two students holding a seat. */
let cls: QuizClass;
let ta: TestUser;
/** Course B, another instructor's, and its one student. */
let other: QuizClass;
let admin: TestUser;
let observer: TestUser;
/** On course A's waitlist (a course of its own, full), and a student enrolled nowhere. */
let waitlisted: TestUser;
let waitlistCourseId: string;
let outsider: TestUser;
const q: Record<"live" | "scheduled" | "closed" | "otherCourse" | "waitlistCourse", string> = {} as never;

beforeAll(async () => {
  server = await startServer();
  [cls, other, admin, ta, waitlisted, outsider] = await Promise.all([
    quizClass(server, 2),
    quizClass(server, 1),
    logInAdmin(server),
    signUp(server, "INSTRUCTOR"),
    signUp(server),
    signUp(server),
  ]);
  observer = await accountWithRole(server, admin, "OBSERVER");
  expect((await gql(server, AssignInstructorDocument, { courseId: cls.courseId, instructorId: ta.id }, cls.teacher.token)).errors).toBeUndefined();

  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  q.live = (await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, title: "Live", mode: "LIVE" })).id;
  q.scheduled = (await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, title: "Homework", mode: "SELF_PACED", availableFrom: tomorrow })).id;
  q.closed = (await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, title: "Done", mode: "LIVE" })).id;
  q.otherCourse = (await createQuiz(server, other.teacher.token, { courseId: other.courseId, title: "Other", mode: "SELF_PACED", questions: questions(1) })).id;
  // Closed just now: listed as CLOSED at once (not when the quiz log's writer gets to it).
  expect((await gql(server, CloseQuizDocument, { quizId: q.closed }, cls.teacher.token)).data?.closeQuiz.status).toBe("CLOSED");
  const closedNow = await gql(server, QuizzesDocument, { filter: { courseId: cls.courseId, status: "CLOSED" }, first: 10 }, cls.teacher.token);
  expect(closedNow.data?.quizzes.edges.map((e) => e.node.id)).toEqual([q.closed]);

  // A full course: one seat (taken), one waitlist place (`waitlisted`).
  const full = await createCourse(server, cls.teacher.token, { capacity: 1, reserveCapacity: 1, units: 0 });
  waitlistCourseId = full.id;
  const seated = await signUp(server);
  expect((await gql(server, EnrollDocument, { courseId: full.id }, seated.token)).data?.enroll.status).toBe("ENROLLED");
  expect((await gql(server, EnrollDocument, { courseId: full.id }, waitlisted.token)).data?.enroll.status).toBe("WAITLISTED");
  q.waitlistCourse = (await createQuiz(server, cls.teacher.token, { courseId: full.id, title: "Full", mode: "LIVE" })).id;
}, 60_000);
afterAll(stopAll);

const list = (user: TestUser, filter?: QuizFilterInput, first = 100) => gql(server, QuizzesDocument, { filter, first }, user.token);
const ids = async (user: TestUser, filter?: QuizFilterInput) => {
  const r = await list(user, filter);
  expect(r.errors).toBeUndefined();
  return r.data!.quizzes.edges.map((e) => e.node.id);
};
const ofCourse = async (user: TestUser, courseId: string, vars: { status?: "SCHEDULED" | "OPEN" | "CLOSED"; mode?: "LIVE" | "SELF_PACED" } = {}) => {
  const r = await gql(server, CourseQuizzesDocument, { courseId, first: 100, ...vars }, user.token);
  expect(r.errors).toBeUndefined();
  return r.data!.course!.quizzes.edges.map((e) => e.node.id);
};
const courseA = () => [q.live, q.scheduled, q.closed];

describe("quizzes", () => {
  it("a student sees the quizzes of the courses they hold a seat in, oldest first, and no others", async () => {
    expect(await ids(cls.students[0])).toEqual(courseA());
    expect(await ids(other.students[0])).toEqual([q.otherCourse]);
    const r = await list(cls.students[0], { courseId: cls.courseId });
    expect(r.data!.quizzes.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ id: q.live, title: "Live", mode: "LIVE", status: "OPEN", questionCount: 3, course: { id: cls.courseId } }),
      expect.objectContaining({ id: q.scheduled, mode: "SELF_PACED", status: "SCHEDULED" }),
      expect.objectContaining({ id: q.closed, status: "CLOSED" }),
    ]);
  });

  it("filters by course, status and mode, every one given must match", async () => {
    const s = cls.students[0];
    expect(await ids(s, { status: "OPEN" })).toEqual([q.live]);
    expect(await ids(s, { status: "SCHEDULED" })).toEqual([q.scheduled]);
    expect(await ids(s, { status: "CLOSED" })).toEqual([q.closed]);
    expect(await ids(s, { mode: "SELF_PACED" })).toEqual([q.scheduled]);
    expect(await ids(s, { courseId: cls.courseId, mode: "LIVE" })).toEqual([q.live, q.closed]);
    expect(await ids(s, { courseId: cls.courseId, mode: "LIVE", status: "OPEN" })).toEqual([q.live]);
    expect(await ids(admin, { courseId: other.courseId, status: "OPEN" })).toEqual([q.otherCourse]);
  });

  it("staff see their courses' quizzes (owner and assigned TA), ADMIN every quiz", async () => {
    expect(await ids(cls.teacher)).toEqual([...courseA(), q.waitlistCourse]);
    expect(await ids(ta)).toEqual(courseA());
    expect(await ids(other.teacher)).toEqual([q.otherCourse]);
    expect(await ids(admin, { courseId: cls.courseId })).toEqual(courseA());
    expect(await ids(admin)).toEqual(expect.arrayContaining([...courseA(), q.otherCourse, q.waitlistCourse]));
  });

  it("an outsider sees nothing: an empty list, and a course's quizzes refused as `quiz` refuses them", async () => {
    for (const who of [outsider, observer, waitlisted]) expect(await ids(who)).toEqual([]);
    const refused = { code: "FORBIDDEN", reason: "NOT_ENROLLED" };
    for (const who of [outsider, observer, other.students[0], other.teacher]) expect(errorOf(await list(who, { courseId: cls.courseId }))).toEqual(refused);
    expect(errorOf(await list(waitlisted, { courseId: waitlistCourseId }))).toEqual(refused);
    expect(errorOf(await list(outsider, { courseId: "0123456789abcdef01234567" }))).toEqual({ code: "NOT_FOUND", reason: "COURSE_NOT_FOUND" });
    expect(errorOf(await gql(server, QuizzesDocument, { first: 5 }))).toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("a student who drops the course stops seeing its quizzes at once", async () => {
    const leaving = await signUp(server);
    expect((await gql(server, UpdateCapacityDocument, { courseId: cls.courseId, capacity: 3, reserveCapacity: 0 }, cls.teacher.token)).errors).toBeUndefined();
    expect((await gql(server, EnrollDocument, { courseId: cls.courseId }, leaving.token)).data?.enroll.status).toBe("ENROLLED");
    expect(await ids(leaving)).toEqual(courseA());
    expect((await gql(server, DisenrollDocument, { courseId: cls.courseId }, leaving.token)).data?.disenroll.status).toBe("DROPPED");
    expect(await ids(leaving)).toEqual([]);
    expect(await ofCourse(leaving, cls.courseId)).toEqual([]);
  });

  it("pages with first/after; pageInfo tells where the page sits (forward only)", async () => {
    const s = cls.students[0];
    const page1 = (await list(s, undefined, 2)).data!.quizzes;
    expect(page1.edges.map((e) => e.node.id)).toEqual([q.live, q.scheduled]);
    expect(page1.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: page1.edges[0].cursor, endCursor: page1.edges[1].cursor });
    const page2 = (await gql(server, QuizzesDocument, { first: 2, after: page1.pageInfo.endCursor }, s.token)).data!.quizzes;
    expect(page2.edges.map((e) => e.node.id)).toEqual([q.closed]);
    expect(page2.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: page2.edges[0].cursor, endCursor: page2.edges[0].cursor });
    const past = (await gql(server, QuizzesDocument, { first: 2, after: page2.pageInfo.endCursor }, s.token)).data!.quizzes;
    expect(past).toEqual({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null } });
    expect(errorOf(await gql(server, QuizzesDocument, { first: 101 }, s.token))).toMatchObject({ code: "BAD_USER_INPUT" });
  });
});

describe("Course.quizzes", () => {
  it("lists the course's quizzes to its staff, its students holding a seat and ADMINs, with the same filters", async () => {
    for (const who of [cls.teacher, ta, cls.students[1], admin]) expect(await ofCourse(who, cls.courseId)).toEqual(courseA());
    expect(await ofCourse(cls.students[0], cls.courseId, { status: "OPEN" })).toEqual([q.live]);
    expect(await ofCourse(cls.students[0], cls.courseId, { mode: "SELF_PACED" })).toEqual([q.scheduled]);
    const paged = (await gql(server, CourseQuizzesDocument, { courseId: cls.courseId, first: 1 }, cls.teacher.token)).data!.course!.quizzes;
    expect(paged.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it("is empty, not an error, for anyone else: the course itself stays visible in the catalogue", async () => {
    for (const who of [outsider, observer, other.students[0], other.teacher]) expect(await ofCourse(who, cls.courseId)).toEqual([]);
    expect(await ofCourse(waitlisted, waitlistCourseId)).toEqual([]);
    expect(await ofCourse(cls.teacher, waitlistCourseId)).toEqual([q.waitlistCourse]);
  });
});
