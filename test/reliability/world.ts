// A small campus made through the API, the way the authorization matrix and the fuzzer need it: one
// of every object a root field can name (course, quiz and its question, office-hours entry and window,
// school, group, register), and one caller per relation to them.
import {
  AssignGroupTeacherDocument,
  CreateGroupDocument,
  CreateSchoolDocument,
  CreateQuizDocument,
  EnrollDocument,
  ImportRosterDocument,
  JoinQueueDocument,
  OpenOfficeHoursDocument,
  ReportAbsenceDocument,
  ScheduleOfficeHoursDocument,
  StartQuestionDocument,
} from "../../operations/generated";
import { gql, type GqlResponse } from "../support/client";
import { accountWithRole, createCourse, logInAdmin, signUp, type TestUser } from "../support/factories";
import type { TestServer } from "../support/server";

/** Who calls: the brief's four plus the relations that decide course- and group-scoped rules. */
export const PERSONAS = ["anonymous", "observer", "student", "otherStudent", "otherInstructor", "staff", "admin"] as const;
export type Persona = (typeof PERSONAS)[number];

export interface World {
  /** Bearer token per persona (none for anonymous). */
  tokens: Record<Persona, string | undefined>;
  /** The user id behind each signed-in persona. */
  userIds: Record<Exclude<Persona, "anonymous">, string>;
  admin: TestUser;
  /** INSTRUCTOR: owns `courseId` and `course2Id`, teaches `groupId`, hosts `quizId`. */
  staff: TestUser;
  /** INSTRUCTOR of another course (`otherCourseId`), teaches no group. */
  otherInstructor: TestUser;
  /** STUDENT enrolled in `courseId` and `course2Id`, on the roll of `groupId`. */
  student: TestUser;
  /** STUDENT enrolled only in `otherCourseId`. */
  otherStudent: TestUser;
  /** STUDENT enrolled in `courseId`, waiting in its office-hours line (entry `entryId`). */
  queued: TestUser;
  /** INSTRUCTOR nobody calls as: the one assigned and removed by assignInstructor/removeInstructor. */
  ta: TestUser;
  courseId: string;
  course2Id: string;
  otherCourseId: string;
  quizId: string;
  questionId: string;
  entryId: string;
  windowId: string;
  schoolId: string;
  groupId: string;
  region: string;
  /** Today (UTC, the school's zone): a register of period 1 is taken. */
  today: string;
}

function must<T>(what: string, r: GqlResponse<T>): T {
  if (!r.data) throw new Error(`${what} failed: ${JSON.stringify(r.errors)}`);
  return r.data;
}

export async function buildWorld(server: TestServer, tag = "w"): Promise<World> {
  const [admin, staff, otherInstructor, ta, student, otherStudent, queued] = await Promise.all([
    logInAdmin(server),
    signUp(server, "INSTRUCTOR"),
    signUp(server, "INSTRUCTOR"),
    signUp(server, "INSTRUCTOR"),
    signUp(server, "STUDENT"),
    signUp(server, "STUDENT"),
    signUp(server, "STUDENT"),
  ]);
  const [course, course2, otherCourse] = await Promise.all([
    createCourse(server, staff.token, { capacity: 20, units: 1 }),
    createCourse(server, staff.token, { capacity: 20, units: 1 }),
    createCourse(server, otherInstructor.token, { capacity: 20, units: 1 }),
  ]);
  for (const [s, c] of [
    [student, course.id],
    [student, course2.id],
    [queued, course.id],
    [otherStudent, otherCourse.id],
  ] as const) {
    const r = must("enroll", await gql(server, EnrollDocument, { courseId: c }, s.token));
    if (r.enroll.status !== "ENROLLED") throw new Error(`enroll: ${r.enroll.status}`);
  }

  must("openOfficeHours", await gql(server, OpenOfficeHoursDocument, { courseId: course.id, meetingLink: "https://meet.example.edu/staff" }, staff.token));
  const entry = must("joinQueue", await gql(server, JoinQueueDocument, { courseId: course.id, question: "Question 1" }, queued.token));
  const startsAt = new Date(Date.now() + 86_400_000);
  const window = must(
    "scheduleOfficeHours",
    await gql(
      server,
      ScheduleOfficeHoursDocument,
      { courseId: course.id, input: { startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(), location: "Room 1" } },
      staff.token,
    ),
  );

  const quiz = must(
    "createQuiz",
    await gql(
      server,
      CreateQuizDocument,
      {
        input: {
          courseId: course.id,
          title: `Quiz ${tag}`,
          mode: "LIVE",
          questions: [0, 1, 2].map((i) => ({ text: `Q${i}?`, options: ["A", "B", "C"], correctOption: i, points: 100, timeLimitSeconds: 600 })),
        },
      },
      staff.token,
    ),
  );
  const question = must("startQuestion", await gql(server, StartQuestionDocument, { quizId: quiz.createQuiz.id }, staff.token));

  const region = `Region-${tag}`;
  const school = must("createSchool", await gql(server, CreateSchoolDocument, { input: { name: `School ${tag}`, region, timeZone: "UTC" } }, admin.token));
  const schoolId = school.createSchool.id;
  const group = must("createGroup", await gql(server, CreateGroupDocument, { input: { schoolId, name: `Group ${tag}` } }, admin.token));
  const groupId = group.createGroup.id;
  must("assignGroupTeacher", await gql(server, AssignGroupTeacherDocument, { groupId, teacherId: staff.id }, admin.token));
  must(
    "importRoster",
    await gql(server, ImportRosterDocument, { input: { rows: [{ groupId, studentId: student.id }, { groupId, name: "Pupil One" }, { groupId, name: "Pupil Two" }] } }, admin.token),
  );
  const today = new Date().toISOString().slice(0, 10);
  must(
    "reportAbsence",
    await gql(server, ReportAbsenceDocument, { input: { groupId, date: today, period: 1, absences: [{ studentId: student.id, kind: "LATE" }] } }, staff.token),
  );

  const observer = await accountWithRole(server, admin, "OBSERVER");
  return {
    tokens: {
      anonymous: undefined,
      observer: observer.token,
      student: student.token,
      otherStudent: otherStudent.token,
      otherInstructor: otherInstructor.token,
      staff: staff.token,
      admin: admin.token,
    },
    userIds: {
      observer: observer.id,
      student: student.id,
      otherStudent: otherStudent.id,
      otherInstructor: otherInstructor.id,
      staff: staff.id,
      admin: admin.id,
    },
    admin,
    staff,
    otherInstructor,
    student,
    otherStudent,
    queued,
    ta,
    courseId: course.id,
    course2Id: course2.id,
    otherCourseId: otherCourse.id,
    quizId: quiz.createQuiz.id,
    questionId: question.startQuestion.id,
    entryId: entry.joinQueue.id,
    windowId: window.scheduleOfficeHours.id,
    schoolId,
    groupId,
    region,
    today,
  };
}
