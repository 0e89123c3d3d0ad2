import { ArrayMaxSize, IsOptional, Length, Matches, Max, Min, ValidateNested } from "class-validator";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { SEX_RESTRICTIONS, WEEKDAYS, type CourseDoc, type SexRestriction, type Weekday } from "../models/course";
import { ConnectionType } from "./relay";
import { User, enumOf } from "./user";

export const SexRestrictionEnum = enumOf(SEX_RESTRICTIONS);
registerEnumType(SexRestrictionEnum, { name: "SexRestriction" });
export const WeekdayEnum = enumOf(WEEKDAYS);
registerEnumType(WeekdayEnum, { name: "Weekday" });

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

@ObjectType({ description: "A weekly class meeting" })
export class Meeting {
  @Field(() => WeekdayEnum)
  day: Weekday;

  @Field({ description: "HH:MM, 24-hour clock" })
  start: string;

  @Field({ description: "HH:MM, after start" })
  end: string;
}

@InputType()
export class MeetingInput {
  @Field(() => WeekdayEnum)
  day: Weekday;

  @Field()
  @Matches(HHMM, { message: "start must be HH:MM" })
  start: string;

  @Field()
  @Matches(HHMM, { message: "end must be HH:MM" })
  end: string;
}

@ObjectType()
export class Course {
  @Field(() => ID)
  id: string;

  @Field()
  code: string;

  @Field()
  title: string;

  @Field()
  description: string;

  @Field()
  category: string;

  @Field()
  department: string;

  @Field(() => Int)
  units: number;

  @Field(() => Float, { description: "0 for free courses" })
  price: number;

  @Field(() => Int)
  capacity: number;

  @Field(() => Int, { description: "Waitlist size" })
  reserveCapacity: number;

  @Field(() => SexRestrictionEnum)
  sexRestriction: SexRestriction;

  @Field(() => [Meeting])
  meetings: Meeting[];

  @Field(() => Date, { nullable: true })
  examAt: Date | null;

  @Field(() => Int)
  examDurationMinutes: number;

  @Field(() => Date, { nullable: true })
  enrollmentOpensAt: Date | null;

  @Field(() => Date, { nullable: true })
  enrollmentClosesAt: Date | null;

  @Field()
  archived: boolean;

  @Field()
  createdAt: Date;

  // Related data, resolved only when a query selects it: getters returning promises, far cheaper
  // than field resolvers on a page of 50 courses.
  @Field(() => Int)
  enrolledCount: Lazy<number>;

  @Field(() => Int, { description: "Students on the waitlist" })
  waitlistCount: Lazy<number>;

  @Field(() => Int)
  seatsLeft: Lazy<number>;

  @Field(() => User)
  owner: Lazy<User>;

  @Field(() => [User])
  instructors: Lazy<User[]>;
}

type Lazy<T> = T | Promise<T>;

/** Where a course's related data comes from (batched and cached by the caller). */
export interface CourseRelations {
  seats(courseId: string): Promise<{ capacity: number; enrolled: number; waitlisted: number }>;
  users(ids: string[]): Promise<User[]>;
}

export const CourseConnection = ConnectionType(Course);

@ObjectType({ description: "Live seat counts of a course" })
export class CourseSeats {
  @Field(() => ID)
  courseId: string;

  @Field(() => Int)
  capacity: number;

  @Field(() => Int)
  enrolledCount: number;

  @Field(() => Int)
  waitlistCount: number;

  @Field(() => Int)
  seatsLeft: number;
}

@InputType()
class CourseFieldsInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(0, 5000)
  description?: string;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @Min(0)
  price?: number;

  @Field(() => SexRestrictionEnum, { nullable: true })
  @IsOptional()
  sexRestriction?: SexRestriction;

  @Field(() => [MeetingInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  meetings?: MeetingInput[];

  @Field(() => Date, { nullable: true })
  @IsOptional()
  examAt?: Date | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(24 * 60)
  examDurationMinutes?: number;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  enrollmentOpensAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  enrollmentClosesAt?: Date | null;
}

@InputType()
export class CreateCourseInput extends CourseFieldsInput {
  @Field()
  @Length(1, 20)
  code: string;

  @Field()
  @Length(1, 200)
  title: string;

  @Field()
  @Length(1, 100)
  category: string;

  @Field()
  @Length(1, 100)
  department: string;

  @Field(() => Int)
  @Min(0)
  @Max(60)
  units: number;

  @Field(() => Int)
  @Min(0)
  @Max(100_000)
  capacity: number;

  @Field(() => Int, { nullable: true, description: "Waitlist size (default 0: no waitlist)" })
  @IsOptional()
  @Min(0)
  @Max(100_000)
  reserveCapacity?: number;

  @Field(() => ID, { nullable: true, description: "ADMIN only: the owning instructor (default: you)" })
  @IsOptional()
  ownerId?: string;
}

@InputType()
export class UpdateCourseInput extends CourseFieldsInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 20)
  code?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  title?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 100)
  category?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 100)
  department?: string;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  @Max(60)
  units?: number;
}

@InputType()
export class CourseFilterInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 100)
  category?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 100)
  department?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  ownerId?: string;

  @Field({ nullable: true, description: "Case-insensitive text in the code or title" })
  @IsOptional()
  @Length(1, 100)
  search?: string;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

export function toCourse(doc: CourseDoc, related: CourseRelations): Course {
  const id = doc._id.toHexString();
  let seats: ReturnType<CourseRelations["seats"]> | undefined;
  const seatsOnce = () => (seats ??= related.seats(id));
  return {
    id,
    code: doc.code,
    title: doc.title,
    description: doc.description ?? "",
    category: doc.category,
    department: doc.department,
    units: doc.units,
    price: doc.price ?? 0,
    capacity: doc.capacity,
    reserveCapacity: doc.reserveCapacity ?? 0,
    sexRestriction: (doc.sexRestriction ?? "NONE") as SexRestriction,
    meetings: (doc.meetings ?? []).map((m) => ({ day: m.day as Weekday, start: m.start, end: m.end })),
    examAt: doc.examAt ?? null,
    examDurationMinutes: doc.examDurationMinutes ?? 120,
    enrollmentOpensAt: doc.enrollmentOpensAt ?? null,
    enrollmentClosesAt: doc.enrollmentClosesAt ?? null,
    archived: Boolean(doc.archived),
    createdAt: doc.createdAt,
    get enrolledCount() {
      return seatsOnce().then((s) => s.enrolled);
    },
    get waitlistCount() {
      return seatsOnce().then((s) => s.waitlisted);
    },
    get seatsLeft() {
      return seatsOnce().then((s) => Math.max(0, s.capacity - s.enrolled));
    },
    get owner() {
      return related.users([doc.owner.toHexString()]).then((u) => u[0]);
    },
    get instructors() {
      return related.users((doc.instructors ?? []).map((i) => i.toHexString()));
    },
  };
}

export { User };
