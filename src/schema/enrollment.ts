// The API's enrollment types: a student's place in a course, what switchCourse did, the enrollment
// profile and its input, and the presenter (a waitlist position only while WAITLISTED).
import { IsOptional, Max, Min } from "class-validator";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { EnrollmentView } from "../domain/enrollment/service";
import { ENROLLMENT_STATUSES, type EnrollmentStatus } from "../models/enrollment";
import { DateInRange } from "./bounds";
import { ConnectionType } from "./relay";
import { enumOf } from "./user";

export const EnrollmentStatusEnum = enumOf(ENROLLMENT_STATUSES);
registerEnumType(EnrollmentStatusEnum, {
  name: "EnrollmentStatus",
  description: "Where a student stands in a course",
  valuesConfig: {
    ENROLLED: { description: "Holds a seat" },
    WAITLISTED: { description: "On the waitlist (see position): promoted when a seat frees up and the student is still eligible" },
    DROPPED: { description: "Left the course (disenroll, switchCourse or forceDisenroll)" },
  },
});

@ObjectType({ description: "A student's place in a course: a seat, a waitlist place, or a dropped one" })
export class Enrollment {
  @Field(() => ID, { description: "The enrollment id" })
  id: string;

  @Field(() => EnrollmentStatusEnum, { description: "A seat, a waitlist place, or dropped" })
  status: EnrollmentStatus;

  @Field(() => Int, { nullable: true, description: "1-based waitlist position while WAITLISTED" })
  position: number | null;

  @Field(() => Float, { description: "The course price when the seat was taken" })
  pricePaid: number;

  courseId: string;
  studentId: string;
}

export const EnrollmentConnection = ConnectionType(Enrollment);

@ObjectType({ description: "What switchCourse did: the course left and the course joined, at once" })
export class SwitchResult {
  @Field(() => Enrollment, { description: "The course left (DROPPED)" })
  dropped: Enrollment;

  @Field(() => Enrollment, { description: "The course joined (ENROLLED)" })
  enrolled: Enrollment;
}

@ObjectType({ description: "A student's enrollment limits, set by an ADMIN" })
export class EnrollmentProfile {
  @Field(() => ID, { description: "The student" })
  studentId: string;

  @Field(() => Int, { description: "Most units the student may hold at once (UNIT_LIMIT beyond)" })
  maxUnits: number;

  @Field(() => Date, { nullable: true, description: "Personal time ticket: the student may enroll from then on" })
  enrollmentStartsAt: Date | null;

  @Field(() => Int, { description: "Drops and switches still allowed" })
  remainingChanges: number;
}

@InputType({ description: "Changes to a student's enrollment profile: fields left out keep their value" })
export class EnrollmentProfileInput {
  @Field(() => Int, { nullable: true, description: "Most units the student may hold at once, 0 to 1000" })
  @IsOptional()
  @Min(0)
  @Max(1000)
  maxUnits?: number;

  @Field(() => Date, { nullable: true, description: "null clears the time ticket" })
  @IsOptional()
  @DateInRange()
  enrollmentStartsAt?: Date | null;

  @Field(() => Int, { nullable: true, description: "Drops and switches still allowed, 0 to 1000" })
  @IsOptional()
  @Min(0)
  @Max(1000)
  remainingChanges?: number;
}

export function toEnrollment(v: EnrollmentView): Enrollment {
  return {
    id: v.enrollmentId,
    status: v.status,
    position: v.status === "WAITLISTED" ? v.position : null,
    pricePaid: v.pricePaid,
    courseId: v.courseId,
    studentId: v.studentId,
  };
}
