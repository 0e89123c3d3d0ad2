// The API's course types: the course, its meetings and seat counts, the inputs that create, change
// and filter courses (with their bounds), and the presenter. Seats and people are read only when
// selected, through the CourseRelations the resolvers batch per request.
import { ArrayMaxSize, IsOptional, Matches, Max, Min, ValidateNested } from "class-validator";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { SEX_RESTRICTIONS, WEEKDAYS, type CourseDoc, type SexRestriction, type Weekday } from "../models/course";
import { MAX_PRICE } from "../platform/inputRules";
import { DateInRange, ObjectIdString, OptionalNotNull, SafeText } from "./bounds";
import { ConnectionType } from "./relay";
import { User, enumOf } from "./user";

export const SexRestrictionEnum = enumOf(SEX_RESTRICTIONS);
registerEnumType(SexRestrictionEnum, {
  name: "SexRestriction",
  description: "Who may enroll in a course, by the sex recorded on their account",
  valuesConfig: {
    NONE: { description: "Everyone" },
    FEMALE_ONLY: { description: "Students whose sex is FEMALE; others get SEX_RESTRICTED" },
    MALE_ONLY: { description: "Students whose sex is MALE; others get SEX_RESTRICTED" },
  },
});
export const WeekdayEnum = enumOf(WEEKDAYS);
registerEnumType(WeekdayEnum, {
  name: "Weekday",
  description: "A day of the week",
  valuesConfig: {
    MON: { description: "Monday" },
    TUE: { description: "Tuesday" },
    WED: { description: "Wednesday" },
    THU: { description: "Thursday" },
    FRI: { description: "Friday" },
    SAT: { description: "Saturday" },
    SUN: { description: "Sunday" },
  },
});

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

@ObjectType({ description: "A weekly class meeting" })
export class Meeting {
  @Field(() => WeekdayEnum, { description: "Day of the week" })
  day: Weekday;

  @Field({ description: "HH:MM, 24-hour clock" })
  start: string;

  @Field({ description: "HH:MM, after start" })
  end: string;
}

@InputType({ description: "A weekly class meeting; meetings of courses a student holds are checked for TIME_CONFLICT" })
export class MeetingInput {
  @Field(() => WeekdayEnum, { description: "Day of the week" })
  day: Weekday;

  @Field({ description: "HH:MM, 24-hour clock" })
  @Matches(HHMM, { message: "start must be HH:MM" })
  start: string;

  @Field({ description: "HH:MM, after start" })
  @Matches(HHMM, { message: "end must be HH:MM" })
  end: string;
}

@ObjectType({ description: "A course of the catalogue, with its rules for enrollment and its live seat counts" })
export class Course {
  @Field(() => ID, { description: "The course id" })
  id: string;

  @Field({ description: "Short catalogue code, e.g. CS101" })
  code: string;

  @Field({ description: "Catalogue title" })
  title: string;

  @Field({ description: "Free text for the catalogue page (may be empty)" })
  description: string;

  @Field({ description: "Catalogue category, e.g. CS (filter: CourseFilterInput.category)" })
  category: string;

  @Field({ description: "Department that runs it (filter: CourseFilterInput.department)" })
  department: string;

  @Field(() => Int, { description: "Credit units; counted against the student's maxUnits (UNIT_LIMIT)" })
  units: number;

  @Field(() => Float, { description: "0 for free courses" })
  price: number;

  @Field(() => Int, { description: "Seats; enrolledCount never exceeds it except by an ADMIN's forceEnroll" })
  capacity: number;

  @Field(() => Int, { description: "Waitlist size" })
  reserveCapacity: number;

  @Field(() => SexRestrictionEnum, { description: "Who may enroll (SEX_RESTRICTED otherwise)" })
  sexRestriction: SexRestriction;

  @Field(() => [Meeting], { description: "Weekly class meetings (checked for TIME_CONFLICT)" })
  meetings: Meeting[];

  @Field(() => Date, { nullable: true, description: "Exam start, if any (checked for EXAM_CONFLICT)" })
  examAt: Date | null;

  @Field(() => Int, { description: "Exam length in minutes (default 120)" })
  examDurationMinutes: number;

  @Field(() => Date, { nullable: true, description: "Enrollment window start (null: no start); before it: NOT_ENROLLMENT_TIME" })
  enrollmentOpensAt: Date | null;

  @Field(() => Date, { nullable: true, description: "Enrollment window end (null: no end); after it: NOT_ENROLLMENT_TIME" })
  enrollmentClosesAt: Date | null;

  @Field({ description: "Soft-deleted by archiveCourse: out of the catalogue, enrollments kept, no new ones (COURSE_ARCHIVED)" })
  archived: boolean;

  @Field({ description: "When the course was created" })
  createdAt: Date;

  // Related data, resolved only when a query selects it: getters returning promises, far cheaper
  // than field resolvers on a page of 50 courses.
  @Field(() => Int, { description: "Students holding a seat now" })
  enrolledCount: Lazy<number>;

  @Field(() => Int, { description: "Students on the waitlist" })
  waitlistCount: Lazy<number>;

  @Field(() => Int, { description: "capacity - enrolledCount (0 when full); live: courseSeatsChanged" })
  seatsLeft: Lazy<number>;

  @Field(() => User, { description: "The instructor who owns it: edits, archives, staffs it" })
  owner: Lazy<User>;

  @Field(() => [User], { description: "Assigned instructors and TAs: course staff with the owner (office hours, quizzes, enrollments)" })
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
  @Field(() => ID, { description: "The course" })
  courseId: string;

  @Field(() => Int, { description: "Seats" })
  capacity: number;

  @Field(() => Int, { description: "Students holding a seat" })
  enrolledCount: number;

  @Field(() => Int, { description: "Students on the waitlist" })
  waitlistCount: number;

  @Field(() => Int, { description: "capacity - enrolledCount (0 when full)" })
  seatsLeft: number;
}

/** The most a code, title, category or department may hold. */
export const COURSE_TEXT = { code: 20, title: 200, category: 100, department: 100, description: 5000 } as const;
export const MAX_UNITS = 60;
export const MAX_CAPACITY = 100_000;

/** Optional fields; null stores the field's default (no description, free, no restriction, ...) or clears a date. */
@InputType()
class CourseFieldsInput {
  @Field({ nullable: true, description: "Catalogue text, at most 5000 characters (null: empty)" })
  @IsOptional()
  @SafeText(COURSE_TEXT.description, { min: 0, multiline: true })
  description?: string;

  @Field(() => Float, { nullable: true, description: `0 to ${MAX_PRICE}` })
  @IsOptional()
  @Min(0)
  @Max(MAX_PRICE)
  price?: number;

  @Field(() => SexRestrictionEnum, { nullable: true, description: "Who may enroll (null: NONE)" })
  @IsOptional()
  sexRestriction?: SexRestriction;

  @Field(() => [MeetingInput], { nullable: true, description: "Weekly meetings, at most 20 (null: none)" })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  meetings?: MeetingInput[];

  @Field(() => Date, { nullable: true, description: "Exam start (null: no exam)" })
  @IsOptional()
  @DateInRange()
  examAt?: Date | null;

  @Field(() => Int, { nullable: true, description: "Exam length, 1 to 1440 minutes (default 120)" })
  @IsOptional()
  @Min(1)
  @Max(24 * 60)
  examDurationMinutes?: number;

  @Field(() => Date, { nullable: true, description: "Enrollment window start (null: open now)" })
  @IsOptional()
  @DateInRange()
  enrollmentOpensAt?: Date | null;

  @Field(() => Date, { nullable: true, description: "Enrollment window end (null: no end)" })
  @IsOptional()
  @DateInRange()
  enrollmentClosesAt?: Date | null;
}

@InputType({ description: "A new course; the fields left out take their defaults" })
export class CreateCourseInput extends CourseFieldsInput {
  @Field({ description: "Catalogue code, 1 to 20 characters" })
  @SafeText(COURSE_TEXT.code)
  code: string;

  @Field({ description: "Title, 1 to 200 characters" })
  @SafeText(COURSE_TEXT.title)
  title: string;

  @Field({ description: "Category, 1 to 100 characters" })
  @SafeText(COURSE_TEXT.category)
  category: string;

  @Field({ description: "Department, 1 to 100 characters" })
  @SafeText(COURSE_TEXT.department)
  department: string;

  @Field(() => Int, { description: "Credit units, 0 to 60" })
  @Min(0)
  @Max(MAX_UNITS)
  units: number;

  @Field(() => Int, { description: "Seats, 0 to 100000" })
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

@InputType({ description: "Changes to a course: fields left out keep their value; null resets an optional field to its default" })
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

@InputType({ description: "Which catalogue courses to list; every field given must match" })
export class CourseFilterInput {
  @Field({ nullable: true, description: "Exactly this category" })
  @IsOptional()
  @SafeText(COURSE_TEXT.category)
  category?: string;

  @Field({ nullable: true, description: "Exactly this department" })
  @IsOptional()
  @SafeText(COURSE_TEXT.department)
  department?: string;

  @Field(() => ID, { nullable: true, description: "Only courses this instructor owns" })
  @IsOptional()
  @ObjectIdString()
  ownerId?: string;

  @Field(() => ID, { nullable: true, description: "Only courses this user staffs: owns or is assigned to as an instructor (a TA's courses)" })
  @IsOptional()
  @ObjectIdString()
  staffId?: string;

  @Field({ nullable: true, description: "Case-insensitive text in the code or title" })
  @IsOptional()
  @SafeText(COURSE_TEXT.title)
  search?: string;

  @Field({ nullable: true, defaultValue: false, description: "Also archived courses (default false)" })
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
