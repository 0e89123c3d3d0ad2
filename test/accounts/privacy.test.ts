// What others see of a user. A user's recorded sex (for sex-restricted courses) reaches only that
// user and ADMINs: not the students who see a course's owner, and nobody through a live feed executed
// once for many viewers (there a field may not depend on who is looking). A course's staff e-mails
// reach that course's members (its students and staff) and ADMINs only. Leaderboards show players by
// name: a player sees their own user id, never another's.
import {
  AssignInstructorDocument,
  CourseEnrollmentsDocument,
  CourseOwnerSexDocument,
  CourseStaffEmailsDocument,
  EnrollDocument,
  LeaderboardChangedDocument,
  LeaderboardDocument,
  MySexDocument,
  StaffOnDutySexDocument,
} from "../../operations/generated";
import { connected, gql, subscribe, wsClient } from "../support/client";
import { createCourse, logInAdmin, signUp, type TestUser } from "../support/factories";
import { createQuiz, joinAll, quizClass } from "../support/quizzes";
import { deploymentEnv, startServer, stopAll, type TestServer } from "../support/server";
import { open } from "../officeHours/setup";

let server: TestServer;
let owner: TestUser;
let ta: TestUser;
let student: TestUser;
let waitlisted: TestUser;
let stranger: TestUser;
let otherInstructor: TestUser;
let admin: TestUser;
let courseId: string;

beforeAll(async () => {
  server = await startServer(deploymentEnv());
  [owner, ta, student, waitlisted, stranger, otherInstructor, admin] = await Promise.all([
    signUp(server, "INSTRUCTOR", { sex: "FEMALE" }),
    signUp(server, "INSTRUCTOR"),
    signUp(server, "STUDENT", { sex: "MALE" }),
    signUp(server, "STUDENT"),
    signUp(server, "STUDENT"),
    signUp(server, "INSTRUCTOR"),
    logInAdmin(server),
  ]);
  courseId = (await createCourse(server, owner.token, { capacity: 1, reserveCapacity: 5, units: 1 })).id;
  await createCourse(server, otherInstructor.token);
  const assigned = await gql(server, AssignInstructorDocument, { courseId, instructorId: ta.id }, owner.token);
  if (!assigned.data) throw new Error(JSON.stringify(assigned.errors));
  for (const [s, status] of [[student, "ENROLLED"], [waitlisted, "WAITLISTED"]] as const) {
    const r = await gql(server, EnrollDocument, { courseId }, s.token);
    if (r.data?.enroll.status !== status) throw new Error(`enroll: ${JSON.stringify(r)}`);
  }
}, 60_000);
afterAll(() => stopAll());

const ownerAs = async (token: string) => (await gql(server, CourseOwnerSexDocument, { id: courseId }, token)).data!.course!.owner;

it("a course's owner: her sex seen by herself and ADMINs, null to a student of the course (who sees her email)", async () => {
  expect(await ownerAs(student.token)).toEqual({ id: owner.id, email: owner.email, sex: null });
  expect(await ownerAs(owner.token)).toMatchObject({ sex: "FEMALE" });
  expect(await ownerAs(admin.token)).toMatchObject({ sex: "FEMALE" });
  expect((await gql(server, MySexDocument, {}, owner.token)).data!.me).toEqual({ id: owner.id, sex: "FEMALE" });
  expect((await gql(server, MySexDocument, {}, student.token)).data!.me).toEqual({ id: student.id, sex: "MALE" });
});

it("a live feed shared by its viewers shows nobody's sex, not even to the user herself or an ADMIN", async () => {
  expect((await open(server, owner, courseId)).data).toBeTruthy();
  for (const viewer of [owner, admin]) {
    const client = wsClient(server, viewer.token, { lazy: false });
    await connected(client);
    const feed = subscribe(client, StaffOnDutySexDocument, { courseId });
    const status = (await feed.next()).officeHoursStatusChanged;
    expect(status.staffOnDuty).toEqual([{ staff: { id: owner.id, sex: null } }]);
    await client.dispose();
  }
});

describe("a course's staff e-mails", () => {
  const staffEmailsAs = async (token: string) => {
    const course = (await gql(server, CourseStaffEmailsDocument, { id: courseId }, token)).data!.course!;
    return [course.owner, ...course.instructors].map((u) => [u.id, u.email]);
  };
  const shown = () => [
    [owner.id, owner.email],
    [ta.id, ta.email],
  ];
  const hidden = () => [
    [owner.id, null],
    [ta.id, null],
  ];

  it("are seen by the course's students (enrolled or waitlisted), its staff and ADMINs, and by no one else", async () => {
    for (const viewer of [student, waitlisted, owner, ta, admin]) expect(await staffEmailsAs(viewer.token)).toEqual(shown());
    // Not members of the course: a student enrolled nowhere, another course's instructor.
    for (const viewer of [stranger, otherInstructor]) expect(await staffEmailsAs(viewer.token)).toEqual(hidden());
    // A student's e-mail stays visible to their course's staff.
    const roster = (await gql(server, CourseEnrollmentsDocument, { courseId, first: 10 }, ta.token)).data!.courseEnrollments.edges.map((e) => e.node.student);
    expect(roster).toEqual(expect.arrayContaining([{ id: student.id, email: student.email }]));
  });
});

describe("leaderboards", () => {
  it("show a player their own user id and no one else's; ADMINs see every id; the shared live feed none", async () => {
    const cls = await quizClass(server, 2);
    const [ann, ben] = cls.students;
    const quiz = await createQuiz(server, cls.teacher.token, { courseId: cls.courseId, mode: "SELF_PACED" });
    await joinAll(server, quiz.id, [ann, ben]);
    const boardAs = async (token: string) =>
      (await gql(server, LeaderboardDocument, { quizId: quiz.id, first: 10 }, token)).data!.leaderboard.entries.map((e) => e.player).sort((x, y) => x.name.localeCompare(y.name));
    expect(await boardAs(ann.token)).toEqual([
      { id: ann.id, name: ann.name },
      { id: null, name: ben.name },
    ]);
    expect(await boardAs(ben.token)).toEqual([
      { id: null, name: ann.name },
      { id: ben.id, name: ben.name },
    ]);
    expect(await boardAs(cls.teacher.token)).toEqual([
      { id: null, name: ann.name },
      { id: null, name: ben.name },
    ]);
    expect(await boardAs(admin.token)).toEqual([
      { id: ann.id, name: ann.name },
      { id: ben.id, name: ben.name },
    ]);
    const client = wsClient(server, ann.token, { lazy: false });
    await connected(client);
    const live = subscribe(client, LeaderboardChangedDocument, { quizId: quiz.id, first: 10 });
    expect((await live.next()).leaderboardChanged.entries.map((e) => e.player.id)).toEqual([null, null]);
    await client.dispose();
  });
});
