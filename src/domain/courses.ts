// The course catalogue: create, edit, archive, staff, capacity, and the catalogue queries.
import { Types } from "mongoose";
import { canManageCourse } from "../auth/policies";
import type { AuthUser } from "../auth/tokens";
import type { EventBus } from "../events/bus";
import { COURSE_DEFAULTS, CourseModel, type CourseDoc, type SexRestriction, type Weekday } from "../models/course";
import { UserModel } from "../models/user";
import type { Clock } from "../platform/clock";
import { fail } from "../platform/errors";
import type { Page } from "../platform/pagination";
import type { Catalogue, CatalogueFilter } from "./catalogue";
import { isDuplicateKey } from "../platform/duplicateKey";
import { EnrollmentEngine, parseCounts, parsePromotions } from "./enrollment/engine";
import type { EnrollmentNotifier } from "./enrollment/notifier";
import { actorOf } from "../events/catalogue";
import { isObjectId } from "../platform/ids";

export interface Meeting {
  day: Weekday;
  start: string;
  end: string;
}

export interface CourseInput {
  code: string;
  title: string;
  description?: string | null;
  category: string;
  department: string;
  units: number;
  price?: number | null;
  capacity: number;
  reserveCapacity?: number | null;
  sexRestriction?: SexRestriction | null;
  meetings?: Meeting[] | null;
  examAt?: Date | null;
  examDurationMinutes?: number | null;
  enrollmentOpensAt?: Date | null;
  enrollmentClosesAt?: Date | null;
  /** ADMIN only: create on behalf of an instructor. */
  ownerId?: string | null;
}

export type CourseUpdate = Partial<Omit<CourseInput, "capacity" | "reserveCapacity" | "ownerId">>;

export class CoursesService {
  constructor(
    private readonly deps: {
      events: EventBus;
      engine: EnrollmentEngine;
      notifier: EnrollmentNotifier;
      catalogue: Catalogue;
      clock: Clock;
    },
  ) {}

  async get(id: string): Promise<CourseDoc> {
    const course = isObjectId(id) ? (this.deps.catalogue.get(id) ?? (await this.deps.catalogue.reload(id))) : undefined;
    if (!course) throw fail("NOT_FOUND", "Course not found", "COURSE_NOT_FOUND");
    return course;
  }

  async create(actor: AuthUser, input: CourseInput): Promise<CourseDoc> {
    if (input.ownerId && actor.role !== "ADMIN") throw fail("FORBIDDEN", "Only an ADMIN may choose the owner", "ROLE_REQUIRED");
    const owner = input.ownerId ? await this.staffUser(input.ownerId) : new Types.ObjectId(actor.id);
    validateCourse(input);
    let course: CourseDoc;
    try {
      const { ownerId: _ownerId, ...fields } = input;
      const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
      const created = await CourseModel.create({ ...given, ...requiredText(input), owner });
      course = created.toObject() as unknown as CourseDoc;
    } catch (e) {
      if (isDuplicateKey(e)) throw fail("CONFLICT", `Course code ${input.code} is taken`, "COURSE_CODE_TAKEN");
      throw e;
    }
    const id = course._id.toHexString();
    await this.deps.engine.loadNewCourse(course);
    this.deps.catalogue.put(course);
    await this.deps.events.publish("CourseCreated", { courseId: id, code: course.code, ownerId: owner.toHexString() }, actorOf(actor));
    return course;
  }

  async update(actor: AuthUser, id: string, input: CourseUpdate): Promise<CourseDoc> {
    const course = await this.managed(actor, id);
    const changes = courseChanges(input);
    validateCourse({ ...course, ...changes } as unknown as CourseInput);
    let updated: CourseDoc | null;
    try {
      updated = await CourseModel.findByIdAndUpdate(course._id, { $set: changes }, { returnDocument: "after" }).lean<CourseDoc>();
    } catch (e) {
      if (isDuplicateKey(e)) throw fail("CONFLICT", `Course code ${input.code} is taken`, "COURSE_CODE_TAKEN");
      throw e;
    }
    if (!updated) throw fail("NOT_FOUND", "Course not found", "COURSE_NOT_FOUND");
    await this.syncEngine(updated);
    await this.deps.events.publish("CourseUpdated", { courseId: id, fields: Object.keys(changes) }, actorOf(actor));
    return updated;
  }

  /** Soft delete: enrollments stay; nobody can enroll any more. */
  async archive(actor: AuthUser, id: string): Promise<CourseDoc> {
    const course = await this.managed(actor, id);
    const updated = (await CourseModel.findByIdAndUpdate(course._id, { $set: { archived: true } }, { returnDocument: "after" }).lean<CourseDoc>())!;
    await this.syncEngine(updated);
    await this.deps.events.publish("CourseArchived", { courseId: id }, actorOf(actor));
    return updated;
  }

  async assignInstructor(actor: AuthUser, id: string, instructorId: string): Promise<CourseDoc> {
    const course = await this.managed(actor, id);
    const instructor = await this.staffUser(instructorId);
    const updated = (await CourseModel.findByIdAndUpdate(course._id, { $addToSet: { instructors: instructor } }, { returnDocument: "after" }).lean<CourseDoc>())!;
    this.deps.catalogue.put(updated);
    await this.deps.events.publish("InstructorAssigned", { courseId: id, instructorId }, actorOf(actor));
    return updated;
  }

  async removeInstructor(actor: AuthUser, id: string, instructorId: string): Promise<CourseDoc> {
    const course = await this.managed(actor, id);
    if (!isObjectId(instructorId)) throw fail("NOT_FOUND", "User not found", "USER_NOT_FOUND");
    const updated = (await CourseModel.findByIdAndUpdate(
      course._id,
      { $pull: { instructors: new Types.ObjectId(instructorId) } },
      { returnDocument: "after" },
    ).lean<CourseDoc>())!;
    this.deps.catalogue.put(updated);
    await this.deps.events.publish("InstructorRemoved", { courseId: id, instructorId }, actorOf(actor));
    return updated;
  }

  /** Never below the enrolled count; raising it promotes waitlisted students. */
  async updateCapacity(actor: AuthUser, id: string, capacity: number, reserveCapacity: number): Promise<CourseDoc> {
    const course = await this.managed(actor, id);
    if (capacity < 0 || reserveCapacity < 0) throw fail("BAD_USER_INPUT", "Capacities cannot be negative", "INVALID_CAPACITY");
    const reply = await this.deps.engine.run("clSetCapacity", [id, capacity, reserveCapacity, this.deps.clock()]);
    if (reply[0] === "ERR") {
      throw fail("CONFLICT", "Capacity cannot go below the number of enrolled students", reply[1]);
    }
    const updated = (await CourseModel.findByIdAndUpdate(course._id, { $set: { capacity, reserveCapacity } }, { returnDocument: "after" }).lean<CourseDoc>())!;
    this.deps.catalogue.put(updated);
    const seats = { courseId: id, ...parseCounts(reply[1]) };
    await this.deps.events.publish(
      "CourseCapacityChanged",
      { courseId: id, capacity, reserveCapacity, seats: [{ courseId: id, capacity: seats.capacity, enrolled: seats.enrolled, waitlisted: seats.waitlisted }] },
      actorOf(actor),
    );
    await this.deps.notifier.promotions(parsePromotions(reply[2]));
    return updated;
  }

  list(filter: CatalogueFilter, first: number, after?: string | null): Page<CourseDoc> {
    if (filter.ownerId && !isObjectId(filter.ownerId)) throw fail("BAD_USER_INPUT", "ownerId must be an id (24 hexadecimal digits)", "INVALID_ID", { field: "ownerId" });
    if (filter.staffId && !isObjectId(filter.staffId)) throw fail("BAD_USER_INPUT", "staffId must be an id (24 hexadecimal digits)", "INVALID_ID", { field: "staffId" });
    return this.deps.catalogue.list(filter, first, after);
  }

  /** The courses the user owns or teaches, archived ones included (from the catalogue, as `get` reads them). */
  staffedBy(userId: string): CourseDoc[] {
    return this.deps.catalogue.staffedBy(userId);
  }

  /** The course if the caller may manage it (owner or ADMIN). */
  private async managed(actor: AuthUser, id: string): Promise<CourseDoc> {
    const course = isObjectId(id) ? await CourseModel.findById(id).lean<CourseDoc>() : null;
    if (!course) throw fail("NOT_FOUND", "Course not found", "COURSE_NOT_FOUND");
    if (!canManageCourse(actor, course)) throw fail("FORBIDDEN", "Only the course owner or an ADMIN may do this", "NOT_COURSE_OWNER");
    return course;
  }

  private async staffUser(userId: string): Promise<Types.ObjectId> {
    const user = isObjectId(userId) ? await UserModel.findById(userId).select({ role: 1 }).lean<{ _id: Types.ObjectId; role: string }>() : null;
    if (!user) throw fail("NOT_FOUND", "User not found", "USER_NOT_FOUND");
    if (user.role !== "INSTRUCTOR" && user.role !== "ADMIN") {
      throw fail("BAD_USER_INPUT", "Course staff must be INSTRUCTOR or ADMIN accounts", "NOT_AN_INSTRUCTOR");
    }
    return user._id;
  }

  private async syncEngine(course: CourseDoc): Promise<void> {
    this.deps.catalogue.put(course);
    // Capacity changes only through updateCapacity (atomically against the enrolled count).
    const fields = EnrollmentEngine.courseFields(course).filter(([key]) => key !== "cap" && key !== "res");
    await this.deps.engine.run("clSetCourseFields", [course._id.toHexString(), ...fields.flat()]);
  }
}

const REQUIRED_TEXT = ["code", "title", "category", "department"] as const;
/** Fields an update may set to null: a cleared date. */
const CLEARABLE = new Set(["examAt", "enrollmentOpensAt", "enrollmentClosesAt"]);
/** Fields an update may change; null stores the default (COURSE_DEFAULTS), or clears (CLEARABLE). */
const UPDATABLE = new Set([...REQUIRED_TEXT, "units", "description", "price", "sexRestriction", "meetings", "examDurationMinutes", ...CLEARABLE]);

/** The required texts trimmed (a code in capitals); blank is refused. */
function requiredText(input: Partial<Record<(typeof REQUIRED_TEXT)[number], unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of REQUIRED_TEXT) {
    const value = input[key];
    if (value === undefined) continue;
    const text = typeof value === "string" ? value.trim() : "";
    if (!text) throw fail("BAD_USER_INPUT", `A course's ${key} cannot be blank`, "INVALID_INPUT", { field: key });
    out[key] = key === "code" ? text.toUpperCase() : text;
  }
  return out;
}

/** What an update sets: the fields given, with null as the default or a cleared date; null for a required field is refused. */
function courseChanges(input: CourseUpdate): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || !UPDATABLE.has(key)) continue;
    if (value !== null) changes[key] = value;
    else if (CLEARABLE.has(key)) changes[key] = null;
    else if (key === "meetings") changes[key] = [];
    else if (key in COURSE_DEFAULTS) changes[key] = COURSE_DEFAULTS[key as keyof typeof COURSE_DEFAULTS];
    else throw fail("BAD_USER_INPUT", `A course's ${key} cannot be null`, "INVALID_INPUT", { field: key });
  }
  return { ...changes, ...requiredText(input) };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function validateCourse(c: CourseInput): void {
  for (const m of c.meetings ?? []) {
    if (!HHMM.test(m.start) || !HHMM.test(m.end) || m.start >= m.end) {
      throw fail("BAD_USER_INPUT", `Meeting ${m.day} ${m.start}-${m.end}: times are HH:MM and start before end`, "INVALID_MEETING");
    }
  }
  if (c.enrollmentOpensAt && c.enrollmentClosesAt && new Date(c.enrollmentOpensAt) >= new Date(c.enrollmentClosesAt)) {
    throw fail("BAD_USER_INPUT", "The enrollment window must open before it closes", "INVALID_WINDOW");
  }
}
