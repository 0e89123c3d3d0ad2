import { ArrayMaxSize, IsOptional, Matches, Max, Min, ValidateNested } from "class-validator";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { SEX_RESTRICTIONS, WEEKDAYS, type CourseDoc, type SexRestriction, type Weekday } from "../models/course";
import { MAX_PRICE } from "../platform/inputRules";
import { DateInRange, ObjectIdString, OptionalNotNull, SafeText } from "./bounds";
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

/** The most a code, title, category or department may hold. */
export const COURSE_TEXT = { code: 20, title: 200, category: 100, department: 100, description: 5000 } as const;
export const MAX_UNITS = 60;
export const MAX_CAPACITY = 100_000;

/** Optional fields; null stores the field's default (no description, free, no restriction, ...) or clears a date. */
@InputType()
class CourseFieldsInput {
  @Field({ nullable: true })
  @IsOptional()
  @SafeText(COURSE_TEXT.description, { min: 0, multiline: true })
  description?: string;

  @Field(() => Float, { nullable: true, description: `0 to ${MAX_PRICE}` })
  @IsOptional()
  @Min(0)
  @Max(MAX_PRICE)
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
  @DateInRange()
  examAt?: Date | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(24 * 60)
  examDurationMinutes?: number;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @DateInRange()
  enrollmentOpensAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @IsOptional()
  @DateInRange()
  enrollmentClosesAt?: Date | null;
}

@InputType()
export class CreateCourseInput extends CourseFieldsInput {
  @Field()
  @SafeText(COURSE_TEXT.code)
  code: string;

  @Field()
  @SafeText(COURSE_TEXT.title)
  title: string;

  @Field()
  @SafeText(COURSE_TEXT.category)
  category: string;

  @Field()
  @SafeText(COURSE_TEXT.department)
  department: string;

  @Field(() => Int)
  @Min(0)
  @Max(MAX_UNITS)
  units: number;

  @Field(() => Int)
  @Min(0)
  @Max(MAX_CAPACITY)
  capacity: number;

  @Field(() => Int, { nullable: true, description: "Waitlist size (default 0: no waitlist)" })
  @IsOptional()
  @Min(0)
  @Max(MAX_CAPACITY)
  reserveCapacity?: number;

  @Field(() => ID, { nullable: true, description: "ADMIN only: the owning instructor (default: you)" })
  @IsOptional()
  @ObjectIdString()
  ownerId?: string;
}

@InputType()
/** Fields left out keep their value; the course's required fields (code, title, category, department, units) cannot be null. */
export class UpdateCourseInput extends CourseFieldsInput {
  @Field({ nullable: true, description: "Left out: unchanged; not null" })
  @OptionalNotNull()
  @SafeText(COURSE_TEXT.code)
  code?: string;

  @Field({ nullable: true, description: "Left out: unchanged; not null" })
  @OptionalNotNull()
  @SafeText(COURSE_TEXT.title)
  title?: string;

  @Field({ nullable: true, description: "Left out: unchanged; not null" })
  @OptionalNotNull()
  @SafeText(COURSE_TEXT.category)
  category?: string;

  @Field({ nullable: true, description: "Left out: unchanged; not null" })
  @OptionalNotNull()
  @SafeText(COURSE_TEXT.department)
  department?: string;

  @Field(() => Int, { nullable: true, description: "Left out: unchanged; not null" })
  @OptionalNotNull()
  @Min(0)
  @Max(MAX_UNITS)
  units?: number;
}

@InputType()
export class CourseFilterInput {
  @Field({ nullable: true })
  @IsOptional()
  @SafeText(COURSE_TEXT.category)
  category?: string;

  @Field({ nullable: true })
  @IsOptional()
  @SafeText(COURSE_TEXT.department)
  department?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @ObjectIdString()
  ownerId?: string;

  @Field({ nullable: true, description: "Case-insensitive text in the code or title" })
  @IsOptional()
  @SafeText(COURSE_TEXT.title)
  search?: string;

  @Field({ nullable: true, defaultValue: false })
  @IsOptional()
  includeArchived?: boolean;
}

/** Every field of a stored course has a value, even if the document lacks it: one bad course never breaks a catalogue page. */
export function toCourse(doc: CourseDoc, related: CourseRelations): Course {
  const id = doc._id.toHexString();
  let seats: ReturnType<CourseRelations["seats"]> | undefined;
  const seatsOnce = () => (seats ??= related.seats(id));
  return {
    id,
    code: doc.code ?? "",
    title: doc.title ?? "",
    description: doc.description ?? "",
    category: doc.category ?? "",
    department: doc.department ?? "",
    units: doc.units ?? 0,
    price: doc.price ?? 0,
    capacity: doc.capacity ?? 0,
    reserveCapacity: doc.reserveCapacity ?? 0,
    sexRestriction: (doc.sexRestriction ?? "NONE") as SexRestriction,
    meetings: (doc.meetings ?? []).map((m) => ({ day: m.day as Weekday, start: m.start, end: m.end })),
    examAt: doc.examAt ?? null,
    examDurationMinutes: doc.examDurationMinutes ?? 120,
    enrollmentOpensAt: doc.enrollmentOpensAt ?? null,
    enrollmentClosesAt: doc.enrollmentClosesAt ?? null,
    archived: Boolean(doc.archived),
    createdAt: doc.createdAt ?? doc._id.getTimestamp(),
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
