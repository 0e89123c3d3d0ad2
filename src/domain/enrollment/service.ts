// Enrollment: enroll, disenroll, switch, forced moves, profiles, and who is where. The rules run in
// the engine's Lua scripts (atomic, in the order SPEC 4.2 lists them); this service authorizes,
// calls them, turns their answers into results and errors, and publishes what changed.
import DataLoader from "dataloader";
import { Types } from "mongoose";
import { isCourseStaff } from "../../auth/policies";
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import type { EnrollmentChange, EventActor } from "../../events/catalogue";
import type { EnrollmentStatus } from "../../models/enrollment";
import { UserModel } from "../../models/user";
import type { Clock } from "../../platform/clock";
import { fail, reasonErrors, type ErrorCode } from "../../platform/errors";
import type { CoursesService } from "../courses";
import { isObjectId } from "../../platform/ids";
import { parseCounts, parsePromotions, type EnrollmentEngine, type SeatCounts } from "./engine";
import type { EngineRecord } from "./seatRecord";
import { seats, type EnrollmentNotifier } from "./notifier";
import { actorOf } from "../../events/catalogue";

export interface EnrollmentView {
  enrollmentId: string;
  courseId: string;
  studentId: string;
  status: EnrollmentStatus;
  /** 1-based waitlist position; 0 when not waiting. */
  position: number;
  pricePaid: number;
}

export interface ProfileView {
  studentId: string;
  maxUnits: number;
  enrollmentStartsAt: Date | null;
  remainingChanges: number;
}

export interface ProfileInput {
  maxUnits?: number | null;
  enrollmentStartsAt?: Date | null;
  remainingChanges?: number | null;
}

const STATUS: Record<string, EnrollmentStatus> = { E: "ENROLLED", W: "WAITLISTED", D: "DROPPED" };

/** Each rule's reason, with the code and words a client gets. */
const REASONS: Record<string, [ErrorCode, string]> = {
  COURSE_FULL: ["CONFLICT", "The course and its waitlist are full"],
  ALREADY_ENROLLED: ["CONFLICT", "Already enrolled or waitlisted in this course"],
  NOT_ENROLLED: ["CONFLICT", "Not enrolled in this course"],
  SEX_RESTRICTED: ["FORBIDDEN", "This course is restricted to another sex"],
  PROFILE_INCOMPLETE: ["CONFLICT", "Your profile lacks the sex this course is restricted by"],
  UNIT_LIMIT: ["CONFLICT", "This course would take you over your unit limit"],
  TIME_CONFLICT: ["CONFLICT", "This course meets at the same time as one of yours"],
  EXAM_CONFLICT: ["CONFLICT", "This course's exam overlaps one of yours"],
  NOT_ENROLLMENT_TIME: ["FORBIDDEN", "Enrollment is not open for you at this time"],
  NO_CHANGES_LEFT: ["CONFLICT", "You have no course changes left"],
  COURSE_ARCHIVED: ["CONFLICT", "This course is archived"],
};

const reasonError = reasonErrors(REASONS);

export class EnrollmentService {
  /** Live counts of the courses a response shows, read from Redis in one round trip per tick. */
  private readonly seatsLoader = new DataLoader<string, SeatCounts>(
    async (ids) => {
      let counts = await this.deps.engine.counts([...ids]);
      const missing = ids.filter((id) => !counts.get(id));
      if (missing.length) {
        await Promise.all(missing.map((id) => this.deps.engine.ensureCourse(id)));
        counts = await this.deps.engine.counts([...ids]);
      }
      return ids.map((id) => counts.get(id) ?? fail("NOT_FOUND", "Course not found", "COURSE_NOT_FOUND"));
    },
    { cache: false },
  );

  constructor(
    private readonly deps: {
      engine: EnrollmentEngine;
      events: EventBus;
      notifier: EnrollmentNotifier;
      courses: CoursesService;
      clock: Clock;
    },
  ) {}

  enroll(student: AuthUser, courseId: string): Promise<EnrollmentView> {
    return this.place(courseId, student.id, "normal", actorOf(student));
  }

  /** ADMIN: past capacity, window and rules (but not into an archived course); audited. */
  async forceEnroll(admin: AuthUser, courseId: string, studentId: string): Promise<EnrollmentView> {
    await this.requireStudent(studentId);
    return this.place(courseId, studentId, "force", actorOf(admin));
  }

  disenroll(student: AuthUser, courseId: string): Promise<EnrollmentView> {
    return this.leave(courseId, student.id, "normal", actorOf(student));
  }

  /** ADMIN: regardless of window and remaining changes; audited. */
  async forceDisenroll(admin: AuthUser, courseId: string, studentId: string): Promise<EnrollmentView> {
    await this.requireStudent(studentId);
    return this.leave(courseId, studentId, "force", actorOf(admin));
  }

  /** Atomic: the student keeps `from` unless `to` gives them a seat. */
  async switchCourse(student: AuthUser, fromId: string, toId: string): Promise<{ dropped: EnrollmentView; enrolled: EnrollmentView }> {
    requireCourseId(fromId);
    requireCourseId(toId);
    if (fromId === toId) throw fail("BAD_USER_INPUT", "Switching a course to itself", "SAME_COURSE");
    const reply = await this.deps.engine.run(
      "clSwitch",
      [fromId, toId, student.id, this.deps.clock(), new Types.ObjectId().toHexString(), student.id],
    );
    if (reply[0] === "ERR") {
      await this.deps.notifier.promotions(parsePromotions(reply[2]));
      throw reasonError(reply[1]);
    }
    const [, fromEnrollment, , toEnrollment, , price, fromCounts, toCounts, promoted] = reply;
    const dropped = view(fromEnrollment, fromId, student.id, "DROPPED", 0, 0);
    const enrolled = view(toEnrollment, toId, student.id, "ENROLLED", 0, Number(price));
    const snapshot = [seats(fromId, parseCounts(fromCounts)), seats(toId, parseCounts(toCounts))];
    await this.deps.events.publish(
      "CourseSwitched",
      { studentId: student.id, from: change(dropped, [snapshot[0]]), to: change(enrolled, [snapshot[1]]), seats: snapshot },
      actorOf(student),
    );
    await this.deps.notifier.promotions(parsePromotions(promoted));
    return { dropped, enrolled };
  }

  async setProfile(admin: AuthUser, studentId: string, input: ProfileInput): Promise<ProfileView> {
    await this.requireStudent(studentId);
    const current = (await this.deps.engine.records(studentId)).profile;
    const next = {
      maxUnits: input.maxUnits ?? current.maxUnits,
      enrollmentStartsAt: input.enrollmentStartsAt === undefined ? current.enrollmentStartsAt : input.enrollmentStartsAt,
      remainingChanges: input.remainingChanges ?? current.remainingChanges,
    };
    if (next.maxUnits < 0 || next.remainingChanges < 0) throw fail("BAD_USER_INPUT", "Limits cannot be negative", "INVALID_PROFILE");
    const reply = await this.deps.engine.run(
      "clSetProfile",
      [studentId, this.deps.clock(), next.maxUnits, next.enrollmentStartsAt ? next.enrollmentStartsAt.getTime() : "", next.remainingChanges],
    );
    await this.deps.events.publish(
      "EnrollmentProfileSet",
      { studentId, ...next, enrollmentStartsAt: next.enrollmentStartsAt?.toISOString() ?? null },
      actorOf(admin),
    );
    await this.deps.notifier.promotions(parsePromotions(reply[1]));
    return { studentId, ...next };
  }

  async profile(student: AuthUser): Promise<ProfileView> {
    return { studentId: student.id, ...(await this.deps.engine.records(student.id)).profile };
  }

  /** The caller's current enrollments and waitlist places. */
  async mine(student: AuthUser): Promise<EnrollmentView[]> {
    const { records } = await this.deps.engine.records(student.id);
    const active = records.filter((r) => r.status !== "D");
    const positions = await this.deps.engine.positions(student.id, active.filter((r) => r.status === "W").map((r) => r.courseId));
    return active.map((r) => fromRecord(r, student.id, positions.get(r.courseId) ?? 0));
  }

  /** Holds a seat (not a waitlist place) in the course: what other domains (office hours) ask. */
  async isEnrolled(studentId: string, courseId: string): Promise<boolean> {
    const { records } = await this.deps.engine.records(studentId);
    return records.some((r) => r.courseId === courseId && r.status === "E");
  }

  /** Ids of the courses the student holds a seat in (as isEnrolled decides it for each). */
  async enrolledCourseIds(studentId: string): Promise<string[]> {
    const { records } = await this.deps.engine.records(studentId);
    return records.filter((r) => r.status === "E").map((r) => r.courseId);
  }

  /** Course staff and ADMIN: the enrolled students, then the waitlist in order. */
  async ofCourse(
    viewer: AuthUser,
    courseId: string,
    status: EnrollmentStatus | null,
    first: number,
    after: string | null | undefined,
  ): Promise<{ items: EnrollmentView[]; hasNextPage: boolean; offset: number }> {
    const course = await this.deps.courses.get(courseId);
    if (!isCourseStaff(viewer, course)) throw fail("FORBIDDEN", "Only course staff may see who is enrolled", "NOT_COURSE_STAFF");
    const roster = await this.deps.engine.roster(courseId);
    const rows: [string, "E" | "W"][] = [
      ...(!status || status === "ENROLLED" ? roster.enrolled.sort().map((s) => [s, "E"] as [string, "E"]) : []),
      ...(!status || status === "WAITLISTED" ? roster.waitlisted.map((s) => [s, "W"] as [string, "W"]) : []),
    ];
    const offset = after ? decodeOffset(after) : 0;
    const slice = rows.slice(offset, offset + first);
    const records = await Promise.all(slice.map(([s]) => this.deps.engine.record(s, courseId)));
    const items = slice.map(([studentId, st], i) => {
      const r = records[i];
      const position = st === "W" ? roster.waitlisted.indexOf(studentId) + 1 : 0;
      return r ? fromRecord(r, studentId, position) : view("", courseId, studentId, STATUS[st], position, 0);
    });
    return { items, hasNextPage: offset + first < rows.length, offset };
  }

  seats(courseId: string): Promise<SeatCounts> {
    requireCourseId(courseId);
    return this.seatsLoader.load(courseId);
  }

  /** For presenting a course already loaded (its id is known to be valid). */
  seatsOf(courseId: string): Promise<SeatCounts> {
    return this.seatsLoader.load(courseId);
  }

  private async place(courseId: string, studentId: string, mode: "normal" | "force", actor: EventActor): Promise<EnrollmentView> {
    requireCourseId(courseId);
    const reply = await this.deps.engine.run(
      "clEnroll",
      [courseId, studentId, this.deps.clock(), new Types.ObjectId().toHexString(), mode, actor.userId],
    );
    if (reply[0] === "ERR") {
      await this.deps.notifier.promotions(parsePromotions(reply[2]));
      throw reasonError(reply[1]);
    }
    const [, st, id, , pos, price, counts, promoted] = reply;
    const result = view(id, courseId, studentId, STATUS[st], Number(pos), Number(price));
    const payload = change(result, [seats(courseId, parseCounts(counts))]);
    if (st === "E") await this.deps.events.publish("StudentEnrolled", { ...payload, forced: mode === "force" }, actor);
    else await this.deps.events.publish("StudentWaitlisted", payload, actor);
    await this.deps.notifier.promotions(parsePromotions(promoted));
    return result;
  }

  private async leave(courseId: string, studentId: string, mode: "normal" | "force", actor: EventActor): Promise<EnrollmentView> {
    requireCourseId(courseId);
    const reply = await this.deps.engine.run("clDisenroll", [courseId, studentId, this.deps.clock(), mode, actor.userId]);
    if (reply[0] === "ERR") throw reasonError(reply[1]);
    const [, was, id, price, counts, promoted] = reply;
    const result = view(id, courseId, studentId, "DROPPED", 0, Number(price));
    await this.deps.events.publish(
      "StudentDisenrolled",
      {
        ...change(result, [seats(courseId, parseCounts(counts))]),
        forced: mode === "force",
        previousStatus: STATUS[was] as "ENROLLED" | "WAITLISTED",
      },
      actor,
    );
    await this.deps.notifier.promotions(parsePromotions(promoted));
    return result;
  }

  private async requireStudent(studentId: string): Promise<void> {
    const user = isObjectId(studentId) ? await UserModel.findById(studentId).select({ role: 1 }).lean<{ role: string }>() : null;
    if (!user) throw fail("NOT_FOUND", "Student not found", "USER_NOT_FOUND");
    if (user.role !== "STUDENT") throw fail("BAD_USER_INPUT", "Only STUDENT accounts enroll", "NOT_A_STUDENT");
  }
}


function requireCourseId(id: string): void {
  if (!isObjectId(id)) throw fail("NOT_FOUND", "Course not found", "COURSE_NOT_FOUND");
}

function view(enrollmentId: string, courseId: string, studentId: string, status: EnrollmentStatus, position: number, pricePaid: number): EnrollmentView {
  return { enrollmentId, courseId, studentId, status, position, pricePaid };
}

function fromRecord(r: EngineRecord, studentId: string, position: number): EnrollmentView {
  return view(r.enrollmentId, r.courseId, studentId, STATUS[r.status], position, r.pricePaid);
}

function change(v: EnrollmentView, s: EnrollmentChange["seats"]): EnrollmentChange {
  return { ...v, seats: s };
}

export const encodeOffset = (n: number) => Buffer.from(`o:${n}`).toString("base64url");
function decodeOffset(cursor: string): number {
  const raw = Buffer.from(cursor, "base64url").toString();
  const n = raw.startsWith("o:") ? Number(raw.slice(2)) : NaN;
  if (!Number.isInteger(n) || n < 0) throw fail("BAD_USER_INPUT", "Invalid cursor", "INVALID_CURSOR");
  return n;
}
