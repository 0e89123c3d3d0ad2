// `npm run seed`: demo data worth exploring, in the database the server uses (the same defaults as
// `npm start`: MONGO_URL/REDIS_URL, else the local services of the data folder, the running
// server's when it runs). Courses (one full, with a waitlist), office hours with staff on duty and a
// line, a live quiz with answers, a school with groups, rolls and a week of registers; then the
// log-ins and three operations to paste, the ADMIN one with a real token. Idempotent: each part is
// made once (a second run says there is nothing to do). Refused in production.
import "reflect-metadata";
import { createApp } from "../src/app";
import type { AuthUser } from "../src/auth/tokens";
import type { SignUpInput } from "../src/domain/accounts";
import { addDays, localDate } from "../src/domain/attendance/dates";
import type { CourseInput } from "../src/domain/courses";
import { SchoolModel } from "../src/models/attendance";
import { CourseModel } from "../src/models/course";
import { QueueEntryModel } from "../src/models/officeHours";
import { QuizModel } from "../src/models/quiz";
import { UserModel } from "../src/models/user";
import type { Role } from "../src/models/user";
import type { Config } from "../src/platform/config";
import { loadConfigOrExit } from "../src/platform/config";
import { createLogger } from "../src/platform/logger";
import type { Runtime } from "../src/runtime";

const DEMO_PASSWORD = "campus-live-demo";

const people = {
  admin: { email: "admin@campus.local", name: "Ada Admin", role: "ADMIN" },
  observer: { email: "observer@campus.local", name: "Otto Observer", role: "OBSERVER" },
  turing: { email: "prof.turing@campus.local", name: "Alan Turing", role: "INSTRUCTOR" },
  hopper: { email: "ta.hopper@campus.local", name: "Grace Hopper", role: "INSTRUCTOR" },
  lovelace: { email: "teacher.lovelace@campus.local", name: "Ada Lovelace", role: "INSTRUCTOR" },
  babbage: { email: "teacher.babbage@campus.local", name: "Charles Babbage", role: "INSTRUCTOR" },
} as const;
const STUDENTS = 20;
const studentEmail = (n: number) => `student${n}@campus.local`;

const accounts: SignUpInput[] = [
  ...Object.values(people).map((p) => ({ ...p, password: DEMO_PASSWORD })),
  ...Array.from({ length: STUDENTS }, (_, i) => ({
    email: studentEmail(i + 1),
    name: `Student ${i + 1}`,
    role: "STUDENT" as const,
    sex: i % 2 ? ("MALE" as const) : ("FEMALE" as const),
    password: DEMO_PASSWORD,
  })),
];

type Person = keyof typeof people;
/** A course, who creates it and who asks to enroll (in this order: the last ones go on the waitlist). */
const courses: Array<{ owner: Person; instructors: Person[]; students: number[]; input: CourseInput }> = [
  {
    owner: "turing",
    instructors: ["hopper"],
    students: range(1, 12),
    input: {
      code: "CS101",
      title: "Introduction to Computer Science",
      description: "Algorithms, data and machines: the ideas behind every program.",
      category: "Computer Science",
      department: "Engineering",
      units: 4,
      capacity: 30,
      reserveCapacity: 10,
      meetings: [
        { day: "MON", start: "09:00", end: "10:30" },
        { day: "WED", start: "09:00", end: "10:30" },
      ],
    },
  },
  {
    owner: "hopper",
    instructors: [],
    students: range(1, 9),
    input: {
      code: "MATH201",
      title: "Linear Algebra",
      description: "Vectors, matrices and the spaces they span. Small class: full, with a waitlist.",
      category: "Mathematics",
      department: "Science",
      units: 3,
      capacity: 6,
      reserveCapacity: 4,
      meetings: [
        { day: "TUE", start: "11:00", end: "12:30" },
        { day: "THU", start: "11:00", end: "12:30" },
      ],
    },
  },
  {
    owner: "turing",
    instructors: [],
    students: range(13, 16),
    input: {
      code: "HIST150",
      title: "A History of Computing",
      description: "From the Analytical Engine to the smartphone.",
      category: "History",
      department: "Humanities",
      units: 2,
      price: 120,
      capacity: 40,
      reserveCapacity: 0,
      meetings: [{ day: "FRI", start: "14:00", end: "16:00" }],
    },
  },
];

const QUIZ_TITLE = "Week 1 warm-up";
const SCHOOL = { name: "Riverside School", region: "North" };
const GROUPS: Array<{ name: string; teacher: Person; students: number[] }> = [
  { name: "Class 7A", teacher: "lovelace", students: range(1, 10) },
  { name: "Class 7B", teacher: "babbage", students: range(11, 20) },
];
const PERIODS = [1, 2, 3];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function main() {
  const config = loadConfigOrExit();
  if (config.isProduction) {
    console.error("seed: refusing to create demo accounts with a known password in production");
    process.exit(78);
  }
  // The whole server but its listener: its log writers take what the seed writes to MongoDB.
  const app = await createApp(config, createLogger("warn"));
  let ids: Awaited<ReturnType<typeof seed>>;
  try {
    ids = await seed(app.runtime);
  } finally {
    await app.stop();
  }
  // Agenda leaves a timer behind after it stops (up to 30 s): the seed is done, so it ends here.
  process.stdout.write(guide(config, ids) + "\n", () => process.exit(0));
}

async function seed(runtime: Runtime) {
  const { services } = runtime;
  const made: string[] = [];

  let created = 0;
  for (const account of accounts) if (await services.accounts.createAccount(account)) created++;
  if (created) made.push(`${created} accounts`);
  const users = await UserModel.find({ email: { $in: accounts.map((a) => a.email) } }).select({ email: 1, role: 1 }).lean<Array<{ _id: { toHexString(): string }; email: string; role: Role }>>();
  const byEmail = new Map(users.map((u) => [u.email, { id: u._id.toHexString(), role: u.role } as AuthUser]));
  const as = (email: string) => byEmail.get(email)!;
  const person = (p: Person) => as(people[p].email);
  const student = (n: number) => as(studentEmail(n));
  const admin = person("admin");

  // Courses, their staff and enrollments (MATH201 fills up: the last three wait).
  const courseIds = new Map<string, string>();
  for (const c of courses) {
    const existing = await CourseModel.findOne({ code: c.input.code }).select({ _id: 1 }).lean<{ _id: { toHexString(): string } }>();
    if (existing) {
      courseIds.set(c.input.code, existing._id.toHexString());
      continue;
    }
    const course = await services.courses.create(person(c.owner), c.input);
    const id = course._id.toHexString();
    courseIds.set(c.input.code, id);
    for (const i of c.instructors) await services.courses.assignInstructor(person(c.owner), id, person(i).id);
    const outcomes = { ENROLLED: 0, WAITLISTED: 0 } as Record<string, number>;
    for (const n of c.students) outcomes[(await services.enrollment.enroll(student(n), id)).status]++;
    made.push(`${c.input.code} (${outcomes.ENROLLED} enrolled${outcomes.WAITLISTED ? `, ${outcomes.WAITLISTED} on the waitlist` : ""})`);
  }
  const cs101 = courseIds.get("CS101")!;

  // Office hours in CS101: both staff on duty, Turing in a meeting with student 1, four waiting.
  if (!(await QueueEntryModel.exists({ course: cs101 }))) {
    await services.officeHours.openOfficeHours(person("turing"), cs101, "https://meet.campus.local/turing");
    await services.officeHours.openOfficeHours(person("hopper"), cs101, "https://meet.campus.local/hopper");
    const questions = [
      "Why does my recursive factorial overflow the stack?",
      "Can you go over big-O of nested loops again?",
      "Is the homework due before or after the lab?",
      "My binary search never ends: what am I missing?",
      "How do I read a stack trace?",
    ];
    for (const [i, q] of questions.entries()) await services.officeHours.joinQueue(student(i + 1), cs101, q);
    const invited = await services.officeHours.callNext(person("turing"), cs101);
    await services.officeHours.acceptInvite(student(1), invited!.entryId);
    made.push("CS101 office hours (2 staff on duty, 1 meeting, 4 waiting)");
  }

  // A live quiz in CS101: its first question started and answered by eight students.
  let quiz = await QuizModel.findOne({ course: cs101, title: QUIZ_TITLE }).select({ _id: 1 }).lean<{ _id: { toHexString(): string } }>();
  if (!quiz) {
    const view = await services.quizzes.create(person("turing"), {
      courseId: cs101,
      title: QUIZ_TITLE,
      mode: "LIVE",
      closesAt: new Date(Date.now() + 14 * 86_400_000),
      questions: [
        { text: "Which structure answers 'first in, first out'?", options: ["Stack", "Queue", "Tree", "Set"], correctOption: 1, timeLimitSeconds: 30 },
        { text: "What is the worst-case cost of binary search?", options: ["O(1)", "O(log n)", "O(n)", "O(n log n)"], correctOption: 1, timeLimitSeconds: 30 },
        { text: "Who wrote the first published algorithm for a machine?", options: ["Alan Turing", "Grace Hopper", "Ada Lovelace"], correctOption: 2, timeLimitSeconds: 30 },
      ],
    });
    quiz = view.quiz;
    const quizId = view.quiz._id.toHexString();
    const started = await services.quizzes.startQuestion(person("turing"), quizId);
    const questionId = started.question._id.toHexString();
    const choices = [1, 1, 0, 1, 2, 1, 3, 1];
    for (const [i, choice] of choices.entries()) {
      await services.quizzes.join(student(i + 1), quizId);
      await services.quizzes.answer(student(i + 1), quizId, questionId, choice);
    }
    made.push(`the live quiz "${QUIZ_TITLE}" (${choices.length} answers)`);
  }

  // Attendance: a school, two classes with their teachers and rolls, a week of registers, one open today.
  let school = await SchoolModel.findOne(SCHOOL).select({ _id: 1, timeZone: 1 }).lean<{ _id: { toHexString(): string }; timeZone: string }>();
  if (!school) {
    const created = await services.attendanceAdmin.createSchool(admin, SCHOOL);
    school = { _id: created._id, timeZone: created.timeZone };
    const today = localDate(school.timeZone, Date.now());
    const firstDay = addDays(today, -7);
    let registers = 0;
    for (const g of GROUPS) {
      const group = await services.attendanceAdmin.createGroup(admin, { schoolId: school._id.toHexString(), name: g.name });
      const groupId = group._id.toHexString();
      const teacher = person(g.teacher);
      await services.attendanceAdmin.assignTeacher(admin, groupId, teacher.id);
      await services.attendanceAdmin.importRoster(admin, g.students.map((n) => ({ groupId, studentId: student(n).id })), firstDay);
      // The school days of the last week (the registers a teacher may still correct).
      const days = range(1, 7).map((d) => addDays(today, -d)).filter((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())).reverse();
      for (const [d, date] of days.entries()) {
        for (const period of PERIODS) {
          const ref = { groupId, date, period };
          const absences = absencesFor(g.students.map((n) => student(n).id), d, period);
          if (absences.length) await services.attendance.reportAbsence(teacher, ref, absences);
          await services.attendance.completeLesson(teacher, ref);
          registers++;
        }
      }
      if (g === GROUPS[0]) {
        // Today's first register, taken but not completed yet: `openLessons` finds it.
        await services.attendance.reportAbsence(teacher, { groupId, date: today, period: 1 }, [{ studentId: student(g.students[2]).id, kind: "LATE" }]);
      }
    }
    // The attendance log's writer holds a register changed in the last 1.5 s back (it is likely to be
    // completed in a moment): today's open one is stored before the seed stops, not by the next writer.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    made.push(`${SCHOOL.name} (${GROUPS.length} classes, ${GROUPS.reduce((n, g) => n + g.students.length, 0)} students on their rolls, ${registers} registers over the last week, 1 open today)`);
  }

  if (made.length) console.log(`seed: created ${made.join("; ")}`);
  else console.log("seed: nothing to do: the demo data is already there (nothing was changed)");
  return {
    adminToken: runtime.tokens.issue(admin).token,
    cs101,
    quizId: quiz._id.toHexString(),
    schoolId: school._id.toHexString(),
  };
}

/** A plausible week: a few absent, a few late, one excused for two days, one at a tournament. */
function absencesFor(roll: string[], day: number, period: number) {
  const out: Array<{ studentId: string; kind: "UNEXCUSED" | "EXCUSED" | "LATE" | "APPROVED_ACTIVITY"; reason?: string }> = [];
  if (period === 1) out.push({ studentId: roll[(day * 3) % roll.length], kind: "LATE" });
  if ((day + period) % 4 === 0) out.push({ studentId: roll[(day + 5) % roll.length], kind: "UNEXCUSED" });
  if (day === 1 || day === 2) out.push({ studentId: roll[7], kind: "EXCUSED", reason: "Flu (note from parents)" });
  if (day === 3 && period === 3) out.push({ studentId: roll[4], kind: "APPROVED_ACTIVITY", reason: "Regional chess tournament" });
  return out.filter((a, i) => out.findIndex((b) => b.studentId === a.studentId) === i);
}

function guide(config: Config, ids: { adminToken: string; cs101: string; quizId: string; schoolId: string }) {
  const url = `http://localhost:${config.PORT}/graphql`;
  const lines = [
    "",
    `Log-ins (every password: ${DEMO_PASSWORD}):`,
    `  ADMIN       ${people.admin.email}`,
    `  OBSERVER    ${people.observer.email}`,
    `  INSTRUCTOR  ${people.turing.email} (CS101, HIST150; in a meeting), ${people.hopper.email} (MATH201; on duty in CS101)`,
    `  TEACHER     ${people.lovelace.email} (Class 7A), ${people.babbage.email} (Class 7B) (INSTRUCTOR accounts)`,
    `  STUDENT     ${studentEmail(1)} .. ${studentEmail(STUDENTS)} (student1 is in a meeting in CS101's office hours)`,
    "",
    `Open ${url} (Apollo Sandbox) and paste the examples below. Without network, the bundled explorer,`,
    `signed in as the ADMIN: http://localhost:${config.PORT}/explorer?token=${ids.adminToken}`,
    "",
    "1. Log in as a student (no header):",
    `    mutation { logIn(email: "${studentEmail(2)}", password: "${DEMO_PASSWORD}") { token user { name role } } }`,
    "",
    "2. As the ADMIN, with the header below: the courses, CS101's line, the quiz's leaderboard, the school's week",
    `   Authorization: Bearer ${ids.adminToken}`,
    "    query {",
    "      courses(first: 10) { edges { node { code title capacity enrolledCount waitlistCount seatsLeft } } }",
    `      officeHoursQueue(courseId: "${ids.cs101}") { waitingCount inMeetingCount status { staffOnDuty { staff { name } state } } entries { position status question student { name } } }`,
    `      leaderboard(quizId: "${ids.quizId}", first: 5) { playerCount entries { rank score player { name } } }`,
    `      attendanceStats(scope: SCHOOL, id: "${ids.schoolId}", from: "${addDays(localDate(config.ATTENDANCE_DEFAULT_TIME_ZONE, Date.now()), -7)}", to: "${localDate(config.ATTENDANCE_DEFAULT_TIME_ZONE, Date.now())}") { lessons expected present absent late attendanceRate }`,
    "    }",
    "",
    "3. Watch CS101's line live (a subscription, same header), then have a student join or staff call the next:",
    `    subscription { queueChanged(courseId: "${ids.cs101}") { version waitingCount inMeetingCount entries { position status student { name } } } }`,
    "",
    `(The token is valid for ${Math.round(config.JWT_TTL_SECONDS / 3600)} hours, on any server sharing this JWT_SECRET${config.JWT_SECRET ? "" : " (none set: the seed's token dies with it)"}.)`,
  ];
  return lines.join("\n");
}

main().catch((e) => {
  console.error(`seed failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
