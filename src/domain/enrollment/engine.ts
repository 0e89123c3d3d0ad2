// The enrollment engine: hot seat state in Redis, changed only by the Lua scripts of lua/ (scripts.ts),
// loaded lazily from MongoDB (hydration) when Redis does not hold a course or student yet.
import { RedisScript } from "../../platform/luaScript";
import { Types } from "mongoose";
import type { Redis } from "ioredis";
import { CourseModel, WEEKDAYS, type CourseDoc } from "../../models/course";
import { EnrollmentModel, EnrollmentProfileModel, type EnrollmentDoc } from "../../models/enrollment";
import { UserModel } from "../../models/user";
import { fail, unavailableUnlessApp } from "../../platform/errors";
import { singleFlight } from "../../platform/async";
import * as scripts from "./scripts";
import { RECORD_FIELD, formatRecord, parseRecord, recordField, type EngineRecord, type RecordStatus } from "./seatRecord";

export interface ProfileDefaults {
  maxUnits: number;
  remainingChanges: number;
}

export interface SeatCounts {
  capacity: number;
  enrolled: number;
  waitlisted: number;
}

export interface Promotion {
  studentId: string;
  enrollmentId: string;
  courseId: string;
  pricePaid: number;
  counts: SeatCounts;
}

type ScriptName = keyof typeof COMMANDS;
const COMMANDS = {
  clEnroll: new RedisScript(scripts.ENROLL),
  clDisenroll: new RedisScript(scripts.DISENROLL),
  clSwitch: new RedisScript(scripts.SWITCH),
  clSetCapacity: new RedisScript(scripts.SET_CAPACITY),
  clSetProfile: new RedisScript(scripts.SET_PROFILE),
  clSetCourseFields: new RedisScript(scripts.SET_COURSE_FIELDS),
  clHydrateCourse: new RedisScript(scripts.HYDRATE_COURSE),
  clHydrateStudent: new RedisScript(scripts.HYDRATE_STUDENT),
  clCounts: new RedisScript(scripts.COUNTS),
};

export class EnrollmentEngine {
  readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
    private readonly defaults: ProfileDefaults,
  ) {
    this.prefix = `${redisPrefix}en:`;
  }

  get logKey() {
    return `${this.prefix}log`;
  }

  /**
   * Runs a script; when it asks for hydration, loads the courses and students it names (only those:
   * a course's enrollments are not read again for each new student) and runs it again.
   * Redis outages become SERVICE_UNAVAILABLE instead of hanging or crashing.
   */
  async run(name: ScriptName, args: (string | number)[]): Promise<string[]> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await this.call(name, args);
      if (reply[0] !== "HYDRATE") return reply;
      await Promise.all(reply.slice(1).map((m) => (m.startsWith("c:") ? this.hydrateCourse(m.slice(2)) : this.hydrateStudent(m.slice(2)))));
    }
    throw new Error(`enrollment engine: ${name} kept asking for hydration`);
  }

  private call(name: ScriptName, args: (string | number)[]): Promise<string[]> {
    return this.guard(() => COMMANDS[name].run<string[]>(this.redis, this.prefix, ...args));
  }

  /** The catalogue fields the scripts check, as [field, value] pairs in their Redis encoding. */
  static courseFields(course: Pick<CourseDoc, "capacity" | "reserveCapacity" | "archived" | "sexRestriction" | "units" | "price" | "enrollmentOpensAt" | "enrollmentClosesAt" | "meetings" | "examAt" | "examDurationMinutes">): [string, string][] {
    const ms = (d: Date | null | undefined) => (d ? String(new Date(d).getTime()) : "");
    const exam = course.examAt ? new Date(course.examAt).getTime() : null;
    return [
      ["cap", String(course.capacity)],
      ["res", String(course.reserveCapacity ?? 0)],
      ["arch", course.archived ? "1" : "0"],
      ["sex", course.sexRestriction === "FEMALE_ONLY" ? "F" : course.sexRestriction === "MALE_ONLY" ? "M" : "N"],
      ["units", String(course.units)],
      ["price", String(course.price ?? 0)],
      ["open", ms(course.enrollmentOpensAt)],
      ["close", ms(course.enrollmentClosesAt)],
      ["slots", (course.meetings ?? []).map((m) => `${WEEKDAYS.indexOf(m.day as never)}:${minutes(m.start)}:${minutes(m.end)}`).join(",")],
      ["exS", exam === null ? "" : String(exam)],
      ["exE", exam === null ? "" : String(exam + (course.examDurationMinutes ?? 120) * 60_000)],
    ];
  }

  /** A course just created has no enrollments: load it without asking MongoDB for them. */
  async loadNewCourse(course: CourseDoc): Promise<void> {
    const fields = EnrollmentEngine.courseFields(course);
    await this.call("clHydrateCourse", [course._id.toHexString(), 0, fields.length, ...fields.flat(), "--"]);
  }

  /** Concurrent requests of this instance that found the same course missing share one load. */
  private readonly loadingCourses = singleFlight<void>();

  hydrateCourse(courseId: string): Promise<void> {
    return this.loadingCourses(courseId, () => this.loadCourse(courseId));
  }

  private async loadCourse(courseId: string): Promise<void> {
    const course = await CourseModel.findById(courseId).lean<CourseDoc>();
    if (!course) throw fail("NOT_FOUND", "Course not found", "COURSE_NOT_FOUND");
    const rows = await EnrollmentModel.find({ course: course._id, status: { $in: ["ENROLLED", "WAITLISTED"] } })
      .select({ student: 1, status: 1, seq: 1 })
      .lean<Pick<EnrollmentDoc, "student" | "status" | "seq">[]>();
    const fields = EnrollmentEngine.courseFields(course);
    const enrolled = rows.filter((r) => r.status === "ENROLLED").map((r) => r.student.toHexString());
    const waiting = rows.filter((r) => r.status === "WAITLISTED").flatMap((r) => [r.student.toHexString(), String(r.seq)]);
    const maxSeq = rows.reduce((m, r) => Math.max(m, r.seq), 0);
    await this.call("clHydrateCourse", [courseId, maxSeq, fields.length, ...fields.flat(), ...enrolled, "--", ...waiting]);
  }

  async hydrateStudent(studentId: string): Promise<void> {
    const id = new Types.ObjectId(studentId);
    const [user, profile, rows] = await Promise.all([
      UserModel.findById(id).select({ sex: 1 }).lean<{ sex?: string }>(),
      EnrollmentProfileModel.findById(id).lean(),
      EnrollmentModel.find({ student: id }).lean<EnrollmentDoc[]>(),
    ]);
    const records = rows.flatMap((r) => [
      recordField(r.course.toHexString()),
      formatRecord({ status: r.status[0] as RecordStatus, enrollmentId: r._id.toHexString(), version: r.version, pricePaid: r.pricePaid, seq: r.seq }),
    ]);
    const maxSeq = rows.reduce((m, r) => Math.max(m, r.seq), 0);
    await this.call("clHydrateStudent", [
      studentId,
      maxSeq,
      "sex", user?.sex === "FEMALE" ? "F" : user?.sex === "MALE" ? "M" : "",
      "max", String(profile?.maxUnits ?? this.defaults.maxUnits),
      "tkt", profile?.enrollmentStartsAt ? String(profile.enrollmentStartsAt.getTime()) : "",
      "chg", String(profile?.remainingChanges ?? this.defaults.remainingChanges),
      "pv", String(profile?.version ?? 0),
      ...records,
    ]);
  }

  /** The student's records (hydrating first if needed). */
  async records(studentId: string): Promise<{ records: EngineRecord[]; profile: { maxUnits: number; enrollmentStartsAt: Date | null; remainingChanges: number } }> {
    const key = `${this.prefix}s:${studentId}`;
    let hash = await this.guard(() => this.redis.hgetall(key));
    if (!hash.h) {
      await this.hydrateStudent(studentId);
      hash = await this.guard(() => this.redis.hgetall(key));
    }
    const records = Object.entries(hash)
      .filter(([f]) => f.startsWith(RECORD_FIELD))
      .map(([f, v]) => parseRecord(f.slice(RECORD_FIELD.length), v));
    return {
      records,
      profile: {
        maxUnits: Number(hash.max),
        enrollmentStartsAt: hash.tkt ? new Date(Number(hash.tkt)) : null,
        remainingChanges: Number(hash.chg),
      },
    };
  }

  /** Waitlist positions (1-based) of one student in several courses. */
  async positions(studentId: string, courseIds: string[]): Promise<Map<string, number>> {
    if (!courseIds.length) return new Map();
    const pipeline = this.redis.pipeline();
    for (const c of courseIds) pipeline.zrank(`${this.prefix}w:${c}`, studentId);
    const results = await this.guard(() => pipeline.exec());
    return new Map(courseIds.map((c, i) => [c, results?.[i]?.[1] === null ? 0 : Number(results?.[i]?.[1]) + 1]));
  }

  /** Live counts of several courses in one command (null where Redis does not hold the course). */
  async counts(courseIds: string[]): Promise<Map<string, SeatCounts | null>> {
    if (!courseIds.length) return new Map();
    const r = (await this.call("clCounts", courseIds)) as unknown as (string | number)[];
    return new Map(
      courseIds.map((c, i) => {
        const cap = r[i * 3];
        return [c, cap === "" ? null : { capacity: Number(cap), enrolled: Number(r[i * 3 + 1]), waitlisted: Number(r[i * 3 + 2]) }];
      }),
    );
  }

  /** Student ids enrolled in, and waiting for (in order), a course. */
  async roster(courseId: string): Promise<{ enrolled: string[]; waitlisted: string[] }> {
    await this.ensureCourse(courseId);
    const [enrolled, waitlisted] = await this.guard(() =>
      Promise.all([this.redis.smembers(`${this.prefix}e:${courseId}`), this.redis.zrange(`${this.prefix}w:${courseId}`, 0, -1)]),
    );
    return { enrolled, waitlisted };
  }

  async record(studentId: string, courseId: string): Promise<EngineRecord | null> {
    const v = await this.guard(() => this.redis.hget(`${this.prefix}s:${studentId}`, recordField(courseId)));
    return v ? parseRecord(courseId, v) : null;
  }

  async ensureCourse(courseId: string): Promise<void> {
    if (!(await this.guard(() => this.redis.exists(`${this.prefix}c:${courseId}`)))) await this.hydrateCourse(courseId);
  }

  private guard<T>(op: () => Promise<T>): Promise<T> {
    return unavailableUnlessApp("Enrollment is", op);
  }
}

export function parseCounts(raw: string): SeatCounts {
  const [capacity, enrolled, waitlisted] = raw.split(",").map(Number);
  return { capacity, enrolled, waitlisted };
}

export function parsePromotions(raw: string | undefined): Promotion[] {
  if (!raw) return [];
  return raw.split(";").map((p) => {
    const [studentId, enrollmentId, courseId, price, counts] = p.split("|");
    return { studentId, enrollmentId, courseId, pricePaid: Number(price), counts: parseCounts(counts) };
  });
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}
