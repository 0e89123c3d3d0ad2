import type { NonEmptyArray } from "type-graphql";
import { AccountsResolver } from "./accounts";
import { CoursesResolver } from "./courses";
import { EnrollmentResolver } from "./enrollment";
import { EventsResolver } from "./events";
import { OfficeHoursResolver } from "./officeHours";
import { QuizzesResolver } from "./quizzes";

export const resolvers: NonEmptyArray<Function> = [AccountsResolver, EventsResolver, CoursesResolver, EnrollmentResolver, OfficeHoursResolver, QuizzesResolver];
