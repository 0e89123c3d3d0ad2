// The resolver classes the schema is built from (src/server/schema.ts): a root field exists only if
// its class is listed here.
import type { NonEmptyArray } from "type-graphql";
import { AccountsResolver } from "./accounts";
import { AbsenceResolver, AttendanceResolver, GroupResolver, LessonChangeResolver, LessonResolver, RollEntryResolver, SchoolResolver } from "./attendance";
import { CoursesResolver } from "./courses";
import { EnrollmentResolver } from "./enrollment";
import { EventsResolver } from "./events";
import { OfficeHoursResolver } from "./officeHours";
import { CourseQuizzesResolver, QuizzesResolver } from "./quizzes";
import { QuizPlayerResolver } from "./quizPlayers";

const attendance = [AttendanceResolver, LessonResolver, LessonChangeResolver, AbsenceResolver, GroupResolver, RollEntryResolver, SchoolResolver];

export const resolvers: NonEmptyArray<Function> = [
  AccountsResolver,
  EventsResolver,
  CoursesResolver,
  EnrollmentResolver,
  OfficeHoursResolver,
  QuizzesResolver,
  CourseQuizzesResolver,
  QuizPlayerResolver,
  ...attendance,
];
