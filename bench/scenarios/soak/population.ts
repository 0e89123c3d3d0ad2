// The soak's population, made through the API before the traffic starts (accounts, courses, office
// hours on duty, quiz courses, a school's groups and rosters), and the subscriptions held all run long.
import {
  AssignGroupTeacherDocument,
  AssignInstructorDocument,
  AttendanceChangedDocument,
  CourseSeatsChangedDocument,
  CreateGroupDocument,
  CreateSchoolDocument,
  DomainEventsDocument,
  EnrollDocument,
  ImportRosterDocument,
  MyEnrollmentChangedDocument,
  MyQueueEntryChangedDocument,
  OfficeHoursStatusChangedDocument,
  OpenOfficeHoursDocument,
  QueueChangedDocument,
  QueueDashboardDocument,
} from "../../../operations/generated";
import { gql } from "../../../test/support/client";
import { accountWithRole, createCourse, logInAdmin, signUp, type TestUser } from "../../../test/support/factories";
import type { TestServer } from "../../../test/support/server";
import { inParallel, must } from "../../lib/setup";
import type { Sockets } from "./clients";
import type { EnrollStudent, OhCourse } from "./drivers";
import {
  DOMAINS,
  ENROLL_COURSES,
  ENROLL_STUDENTS,
  OH_COURSES,
  OH_DASHBOARDS,
  OH_STUDENTS,
  PAST_DAYS,
  PERIODS,
  PUPILS_PER_GROUP,
  QUIZ_COURSES,
  QUIZ_PLAYERS,
  TEACHERS,
  type SoakOptions,
} from "./options";
import { dateAgo, type AttendanceGroup, type QuizLine } from "./quizAttendanceDrivers";

export interface Population {
  admin: TestUser;
  /** The dashboards' account (OBSERVER). */
  observer: TestUser;
  accounts: TestUser[];
  enrollStudents: EnrollStudent[];
  enrollCourses: string[];
  enrollStaff: TestUser;
  ohCourses: OhCourse[];
  quizLines: QuizLine[];
  schoolId: string;
  groups: AttendanceGroup[];
  teachers: TestUser[];
}

/**
 * Enough groups that every register is taken once in the run (report, then complete): the traffic
 * stays the same kind from start to end instead of turning into corrections halfway.
 */
export function groupsFor(opts: SoakOptions): number {
  const share = opts.mix.attendance / DOMAINS.reduce((n, d) => n + opts.mix[d], 0);
  const registers = (opts.rate * share * 0.85 * (opts.warmupSec + opts.minutes * 60)) / 2;
  return Math.max(12, Math.ceil((registers * 1.2) / (PERIODS * PAST_DAYS)));
}

export async function setUp(server: TestServer, groupCount: number): Promise<Population> {
  const admin = await logInAdmin(server);
  const instructors = await inParallel(1 + OH_COURSES * 2 + QUIZ_COURSES + TEACHERS, 25, () => signUp(server, "INSTRUCTOR"));
  const studentCount = ENROLL_STUDENTS + OH_COURSES * OH_STUDENTS + QUIZ_COURSES * QUIZ_PLAYERS;
  const students = await inParallel(studentCount, 25, (i) => signUp(server, "STUDENT", { sex: i % 2 ? "FEMALE" : "MALE", name: `Soak Student ${i + 1}` }));
  const takeStudents = (() => {
    let at = 0;
    return (n: number) => students.slice(at, (at += n));
  })();
  const takeInstructor = (() => {
    let at = 0;
    return () => instructors[at++];
  })();

  // Enrollment: small courses (1 unit) with waitlists; students take at most four.
  const enrollStaff = takeInstructor();
  const enrollCourses = await inParallel(ENROLL_COURSES, 8, () =>
    createCourse(server, enrollStaff.token, { capacity: 10, reserveCapacity: 4, units: 1 }).then((c) => c.id),
  );
  const enrollStudents = takeStudents(ENROLL_STUDENTS).map((user) => ({ user, courses: new Set<string>(), busy: false }));

  // Office hours: owner and TA on duty in each course, students enrolled.
  const ohCourses: OhCourse[] = [];
  for (let i = 0; i < OH_COURSES; i++) {
    const [owner, ta] = [takeInstructor(), takeInstructor()];
    const { id } = await createCourse(server, owner.token, { capacity: OH_STUDENTS + 5, units: 0 });
    await must(gql(server, AssignInstructorDocument, { courseId: id, instructorId: ta.id }, owner.token));
    const course: OhCourse = { id, staff: [], students: [], waiting: 0 };
    course.staff = [owner, ta].map((user) => ({ user, course, state: "AVAILABLE", since: 0, busy: false }));
    course.students = takeStudents(OH_STUDENTS).map((user) => ({ user, state: "FREE", busy: false }));
    await inParallel(course.students.length, 12, (k) => must(gql(server, EnrollDocument, { courseId: id }, course.students[k].user.token)));
    for (const s of course.staff) await must(gql(server, OpenOfficeHoursDocument, { courseId: id, meetingLink: `https://meet.example.edu/${s.user.id}` }, s.user.token));
    ohCourses.push(course);
  }

  // Quizzes: a host and enrolled players per course.
  const quizLines: QuizLine[] = [];
  for (let i = 0; i < QUIZ_COURSES; i++) {
    const host = takeInstructor();
    const { id } = await createCourse(server, host.token, { capacity: QUIZ_PLAYERS + 5, units: 0 });
    const players = takeStudents(QUIZ_PLAYERS).map((user) => ({ user, unsubscribe: [] }));
    await inParallel(players.length, 12, (k) => must(gql(server, EnrollDocument, { courseId: id }, players[k].user.token)));
    quizLines.push({ courseId: id, host, players, phase: "create", question: 0, todo: [], inFlight: 0 });
  }

  // Attendance: one school in UTC, groups with a teacher each (two groups per teacher), rosters from 40 days ago.
  const schoolId = (await must(gql(server, CreateSchoolDocument, { input: { name: "Soak School", region: "Soak Region", timeZone: "UTC" } }, admin.token))).createSchool.id;
  const teachers = Array.from({ length: TEACHERS }, () => takeInstructor());
  const groupIds = await inParallel(groupCount, 6, (i) => must(gql(server, CreateGroupDocument, { input: { schoolId, name: `Soak ${i + 1}` } }, admin.token)).then((d) => d.createGroup.id));
  await inParallel(groupCount, 6, (i) => must(gql(server, AssignGroupTeacherDocument, { groupId: groupIds[i], teacherId: teachers[i % TEACHERS].id }, admin.token)));
  const rows = groupIds.flatMap((groupId) => Array.from({ length: PUPILS_PER_GROUP }, (_, k) => ({ groupId, name: `Pupil ${k + 1}` })));
  const ids = (await must(gql(server, ImportRosterDocument, { input: { rows, effectiveFrom: dateAgo(40) } }, admin.token))).importRoster.studentIds;
  const groups = groupIds.map((id, i) => ({
    id,
    pupils: ids.slice(i * PUPILS_PER_GROUP, (i + 1) * PUPILS_PER_GROUP),
    teacher: teachers[i % TEACHERS],
    daysAgo: (i % PAST_DAYS) + 1,
    period: 1,
    completeNext: false,
    busy: false,
  }));

  const observer = await accountWithRole(server, admin, "OBSERVER");
  return { admin, observer, accounts: [...students, ...instructors], enrollStudents, enrollCourses, enrollStaff, ohCourses, quizLines, schoolId, groups, teachers };
}

/** The long-lived subscriptions, held for the whole run. */
export function holdSubscriptions(pop: Population, sockets: Sockets) {
  for (const s of pop.enrollStudents) sockets.subscribe("myEnrollmentChanged", s.user, MyEnrollmentChangedDocument, {});
  for (const courseId of pop.enrollCourses) sockets.subscribe("courseSeatsChanged", pop.enrollStaff, CourseSeatsChangedDocument, { courseId });
  for (const c of pop.ohCourses) {
    for (const s of c.students) sockets.subscribe("myQueueEntryChanged", s.user, MyQueueEntryChangedDocument, { courseId: c.id });
    for (const s of c.staff) {
      sockets.subscribe("queueChanged", s.user, QueueChangedDocument, { courseId: c.id });
      sockets.subscribe("officeHoursStatusChanged", s.user, OfficeHoursStatusChangedDocument, { courseId: c.id });
    }
    for (let i = 0; i < OH_DASHBOARDS; i++) {
      sockets.subscribe("queueChanged (dashboard)", { id: `oh-dashboard-${c.id}-${i}`, token: pop.observer.token }, QueueDashboardDocument, { courseId: c.id });
    }
  }
  for (const t of pop.teachers) sockets.subscribe("attendanceChanged", t, AttendanceChangedDocument, { schoolId: pop.schoolId });
  for (let i = 0; i < 2; i++) {
    sockets.subscribe("attendanceChanged", { id: `attendance-dashboard-${i}`, token: pop.observer.token }, AttendanceChangedDocument, { schoolId: pop.schoolId });
  }
  sockets.subscribe("domainEvents (all)", pop.admin, DomainEventsDocument, {});
}
