// The attendance root fields (schools, groups and rolls, registers, statistics, the live register
// feed) and the fields from a register to its people: each carries its roles and calls the attendance
// services; who may act on which group or school is decided by policies.ts. The register mutations
// skip class-validator (the domain checks their input).
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Allow } from "../auth/authChecker";
import { canReadSchoolAttendance } from "../auth/policies";
import type { AppContext } from "../context";
import { MAX_PERIOD, encodeLessonCursor, type StatsScope } from "../domain/attendance/service";
import type { GroupMeta } from "../domain/attendance/engine";
import { registerFeed, type RegisterChange } from "../domain/attendance/feeds";
import type { GroupDoc, SchoolDoc } from "../models/attendance";
import { fail, nullIfNotFound } from "../platform/errors";
import { encodeCursor } from "../platform/pagination";
import {
  AttendanceChange,
  AttendanceScopeEnum,
  AttendanceStats,
  CreateGroupInput,
  CreateSchoolInput,
  Group,
  GroupConnection,
  ImportRosterInput,
  Lesson,
  LessonChange,
  LessonConnection,
  RemoveFromRosterInput,
  ReportAbsenceInput,
  RetractAbsenceInput,
  RollEntry,
  RollEntryConnection,
  REGION_LENGTH,
  RosterImportResult,
  School,
  SchoolConnection,
  toLesson,
  toStats,
  Absence as AbsenceType,
  type Absence,
} from "../schema/attendance";
import { calendarDate, checkArg, intRange, safeText } from "../schema/bounds";
import { ConnectionArgs, toConnection } from "../schema/relay";
import { User, toUser } from "../schema/user";

const toSchool = (s: SchoolDoc): School => ({ id: s._id.toHexString(), name: s.name, region: s.region, timeZone: s.timeZone });
const toGroup = (g: GroupMeta | GroupDoc): Group =>
  "schoolId" in g ? { id: g.id, name: g.name, schoolId: g.schoolId } : { id: g._id.toHexString(), name: g.name, schoolId: g.school.toHexString() };

async function userById(ctx: AppContext, id: string): Promise<User> {
  const user = await ctx.services.accounts.loader.load(id);
  if (!user) throw fail("NOT_FOUND", "User not found", "USER_NOT_FOUND");
  return toUser(user);
}

/**
 * The register mutations run at the bell: their input is checked by the domain (period, sizes,
 * reasons, dates) instead of class-validator, which costs more than the rest of the request.
 */
const HOT_PATH = { validate: false } as const;

@Resolver()
export class AttendanceResolver {
  // --- administration (ADMIN) ----------------------------------------------------------------------

  @Allow("ADMIN")
  @Mutation(() => School, { description: "A school in a region, with the time zone its dates are in (ADMIN)" })
  async createSchool(@Arg("input", () => CreateSchoolInput, { description: "The school" }) input: CreateSchoolInput, @Ctx() ctx: AppContext): Promise<School> {
    return toSchool(await ctx.services.attendanceAdmin.createSchool(ctx.user!, input));
  }

  @Allow("ADMIN")
  @Mutation(() => Group, { description: "A class of a school (ADMIN)" })
  async createGroup(@Arg("input", () => CreateGroupInput, { description: "The school and the group's name" }) input: CreateGroupInput, @Ctx() ctx: AppContext): Promise<Group> {
    return toGroup(await ctx.services.attendanceAdmin.createGroup(ctx.user!, input));
  }

  @Allow("ADMIN")
  @Mutation(() => Group, { description: "Lets an INSTRUCTOR take this group's registers (idempotent; ADMIN)" })
  async assignGroupTeacher(
    @Arg("groupId", () => ID, { description: "The group whose registers they take" }) groupId: string,
    @Arg("teacherId", () => ID, { description: "An INSTRUCTOR account" }) teacherId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Group> {
    return toGroup(await ctx.services.attendanceAdmin.assignTeacher(ctx.user!, groupId, teacherId));
  }

  @Allow("ADMIN")
  @Mutation(() => Group, { description: "Takes a teacher off a group: they no longer take its registers (ADMIN)" })
  async removeGroupTeacher(
    @Arg("groupId", () => ID, { description: "The group" }) groupId: string,
    @Arg("teacherId", () => ID, { description: "The teacher to remove" }) teacherId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Group> {
    return toGroup(await ctx.services.attendanceAdmin.removeTeacher(ctx.user!, groupId, teacherId));
  }

  @Allow("ADMIN")
  @Mutation(() => RosterImportResult, {
    description: "Puts students on rolls in bulk (up to 10,000 rows, any groups): existing STUDENT ids, or names for new roster-only students (ADMIN)",
  })
  async importRoster(@Arg("input", () => ImportRosterInput, { description: "The rows, and from when they count" }) input: ImportRosterInput, @Ctx() ctx: AppContext): Promise<RosterImportResult> {
    return ctx.services.attendanceAdmin.importRoster(ctx.user!, input.rows, input.effectiveFrom);
  }

  @Allow("ADMIN")
  @Mutation(() => Int, { description: "Takes students off a group's roll; answers how many were on it (ADMIN)" })
  async removeFromRoster(@Arg("input", () => RemoveFromRosterInput, { description: "The group, the students, and from when" }) input: RemoveFromRosterInput, @Ctx() ctx: AppContext): Promise<number> {
    return ctx.services.attendanceAdmin.removeFromRoster(ctx.user!, input.groupId, input.studentIds, input.effectiveFrom);
  }

  // --- registers (the group's teachers; ADMIN corrects) ----------------------------------------------

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Lesson, { description: "Starts the register if needed and records absences; re-reporting a student updates, never duplicates" })
  async reportAbsence(@Arg("input", () => ReportAbsenceInput, { ...HOT_PATH, description: "The register and the marks" }) input: ReportAbsenceInput, @Ctx() ctx: AppContext): Promise<Lesson> {
    return toLesson(await ctx.services.attendance.reportAbsence(ctx.user!, input, input.absences));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Lesson, { description: "Removes students' marks (they count as present once completed)" })
  async retractAbsence(@Arg("input", () => RetractAbsenceInput, { ...HOT_PATH, description: "The register and the students" }) input: RetractAbsenceInput, @Ctx() ctx: AppContext): Promise<Lesson> {
    return toLesson(await ctx.services.attendance.retractAbsence(ctx.user!, input, input.studentIds));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Lesson, { description: "Everyone on the roll not marked is present; idempotent; keeps the absences reported" })
  async completeLesson(
    @Arg("groupId", () => ID, { description: "The group whose register to complete" }) groupId: string,
    @Arg("date", { description: "YYYY-MM-DD", validateFn: checkArg("date", calendarDate(), "INVALID_DATE") }) date: string,
    @Arg("period", () => Int, { validateFn: checkArg("period", intRange(1, MAX_PERIOD), "INVALID_PERIOD"), description: "Period of the day, 1 to 24" }) period: number,
    @Ctx() ctx: AppContext,
  ): Promise<Lesson> {
    return toLesson(await ctx.services.attendance.completeLesson(ctx.user!, { groupId, date, period }));
  }

  // --- reads ---------------------------------------------------------------------------------------

  @Allow("INSTRUCTOR", "ADMIN", "OBSERVER")
  @Query(() => Lesson, { nullable: true, description: "One register (null if not taken)" })
  async lesson(
    @Arg("groupId", () => ID, { description: "The group whose register to read" }) groupId: string,
    @Arg("date", { validateFn: checkArg("date", calendarDate(), "INVALID_DATE"), description: "School calendar date YYYY-MM-DD, in the school's time zone" }) date: string,
    @Arg("period", () => Int, { validateFn: checkArg("period", intRange(1, MAX_PERIOD), "INVALID_PERIOD"), description: "Period of the day, 1 to 24" }) period: number,
    @Ctx() ctx: AppContext,
  ): Promise<Lesson | null> {
    const l = await ctx.services.attendance.lesson(ctx.user!, { groupId, date, period });
    return l ? toLesson(l) : null;
  }

  @Allow("INSTRUCTOR", "ADMIN", "OBSERVER")
  @Query(() => LessonConnection, { description: "A group's registers between two dates (durable copy: up to ~0.5 s behind)" })
  async lessons(
    @Arg("groupId", () => ID, { description: "The group whose registers to list" }) groupId: string,
    @Arg("from", { validateFn: checkArg("from", calendarDate(), "INVALID_DATE"), description: "First day (School calendar date YYYY-MM-DD, in the school's time zone)" }) from: string,
    @Arg("to", { validateFn: checkArg("to", calendarDate(), "INVALID_DATE"), description: "Last day, included (School calendar date YYYY-MM-DD, in the school's time zone)" }) to: string,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AppContext,
  ) {
    const page = await ctx.services.attendance.lessons(ctx.user!, groupId, from, to, first, after);
    return toConnection(page, after, (l) => encodeLessonCursor(l.id), toLesson);
  }

  @Allow("INSTRUCTOR", "ADMIN", "OBSERVER")
  @Query(() => [Lesson], { description: "Registers of a school started on a date but not completed" })
  async openLessons(@Arg("schoolId", () => ID, { description: "The school (you teach there, or are an ADMIN or OBSERVER)" }) schoolId: string, @Arg("date", { validateFn: checkArg("date", calendarDate(), "INVALID_DATE"), description: "School calendar date YYYY-MM-DD, in the school's time zone" }) date: string, @Ctx() ctx: AppContext): Promise<Lesson[]> {
    return (await ctx.services.attendance.openLessons(ctx.user!, schoolId, date)).map(toLesson);
  }

  @Allow("STUDENT", "INSTRUCTOR", "ADMIN", "OBSERVER")
  @Query(() => AttendanceStats, {
    description: "Totals and rates over from..to (at most 400 days) from daily rollups; STUDENT (self, their school's staff), GROUP, SCHOOL (staff), REGION (ADMIN, OBSERVER)",
  })
  async attendanceStats(
    @Arg("scope", () => AttendanceScopeEnum, { description: "What to total up: one student, group, school, or a region" }) scope: StatsScope,
    @Arg("id", () => ID, { description: "Student, group or school id, or the region's name", validateFn: checkArg("id", safeText({ max: REGION_LENGTH })) }) id: string,
    @Arg("from", { validateFn: checkArg("from", calendarDate(), "INVALID_DATE"), description: "First day (School calendar date YYYY-MM-DD, in the school's time zone)" }) from: string,
    @Arg("to", { validateFn: checkArg("to", calendarDate(), "INVALID_DATE"), description: "Last day, included (School calendar date YYYY-MM-DD, in the school's time zone)" }) to: string,
    @Ctx() ctx: AppContext,
  ): Promise<AttendanceStats> {
    return toStats(await ctx.services.attendance.stats(ctx.user!, scope, id, from, to));
  }

  @Allow("INSTRUCTOR", "ADMIN", "OBSERVER")
  @Query(() => School, { nullable: true, description: "A school (its staff, ADMIN, OBSERVER)" })
  async school(@Arg("id", () => ID, { description: "The school id" }) id: string, @Ctx() ctx: AppContext): Promise<School | null> {
    const s = await ctx.services.attendanceDirectory.school(id).catch(nullIfNotFound);
    if (!s) return null;
    // Its groups and their teachers hang off the school: the same readers as its registers.
    if (!canReadSchoolAttendance(ctx.user!, await ctx.services.attendanceDirectory.isSchoolStaff(id, ctx.user!.id))) {
      throw fail("FORBIDDEN", "Not on this school's staff", "FORBIDDEN");
    }
    return toSchool(s);
  }

  @Allow("ADMIN", "OBSERVER")
  @Query(() => SchoolConnection, { description: "Every school (ADMIN, OBSERVER); teachers reach theirs through myGroups" })
  async schools(
    @Arg("region", () => String, { nullable: true, validateFn: checkArg("region", safeText({ max: REGION_LENGTH })), description: "Only schools of this region" }) region: string | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AppContext,
  ) {
    return toConnection(await ctx.services.attendance.schools(region, first, after), after, (s) => encodeCursor(s._id), toSchool);
  }

  @Allow("INSTRUCTOR", "ADMIN", "OBSERVER")
  @Query(() => Group, { description: "A group (its teachers, its school's staff, ADMIN, OBSERVER)" })
  async group(@Arg("id", () => ID, { description: "The group id" }) id: string, @Ctx() ctx: AppContext): Promise<Group> {
    return toGroup(await ctx.services.attendance.group(ctx.user!, id));
  }

  @Allow("INSTRUCTOR")
  @Query(() => [Group], { description: "The groups whose registers you take" })
  async myGroups(@Ctx() ctx: AppContext): Promise<Group[]> {
    return (await ctx.services.attendance.groupsTaughtBy(ctx.user!.id)).map(toGroup);
  }

  @Allow("INSTRUCTOR", "ADMIN", "OBSERVER")
  @Subscription(() => AttendanceChange, {
    description: "Every register change of a school as it happens (its staff, ADMIN, OBSERVER)",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      const schoolId = String(args.schoolId);
      const directory = ctx.services.attendanceDirectory;
      const right = await ctx.services.access.grant(ctx.user!, {
        roles: ["INSTRUCTOR", "ADMIN", "OBSERVER"],
        check: async (viewer) => {
          await directory.school(schoolId);
          if (!canReadSchoolAttendance(viewer, await directory.isSchoolStaff(schoolId, viewer.id))) {
            throw fail("FORBIDDEN", "Not on this school's staff", "FORBIDDEN");
          }
          return { schoolId };
        },
      });
      return registerFeed(ctx.services, right, schoolId);
    },
  })
  attendanceChanged(@Arg("schoolId", () => ID, { description: "The school to follow (you teach there, or are an ADMIN or OBSERVER)" }) _schoolId: string, @Root() change: RegisterChange): AttendanceChange {
    return { action: change.action, students: change.students, lesson: toLesson(change.lesson) };
  }
}

@Resolver(() => Lesson)
export class LessonResolver {
  @FieldResolver(() => Group, { description: "The group whose register it is" })
  async group(@Root() l: Lesson, @Ctx() ctx: AppContext): Promise<Group> {
    return toGroup(await ctx.services.attendanceEngine.group(l.groupId));
  }

  @FieldResolver(() => User, { description: "Who started the register" })
  takenBy(@Root() l: Lesson, @Ctx() ctx: AppContext): Promise<User> {
    return userById(ctx, l.takenBy);
  }

  @FieldResolver(() => User, { nullable: true, description: "Who completed it (null while OPEN)" })
  async completedBy(@Root() l: Lesson, @Ctx() ctx: AppContext): Promise<User | null> {
    return l.completedBy ? userById(ctx, l.completedBy) : null;
  }

  @FieldResolver(() => User, { description: "Who made the last change" })
  changedBy(@Root() l: Lesson, @Ctx() ctx: AppContext): Promise<User> {
    return userById(ctx, l.changedBy);
  }

  @FieldResolver(() => [LessonChange], { description: "Who took and changed this register, and when (durable copy: up to ~0.5 s behind)" })
  async history(@Root() l: Lesson, @Ctx() ctx: AppContext): Promise<LessonChange[]> {
    const docs = await ctx.services.attendance.history(l.id);
    return docs.map((d) => ({
      action: d.action,
      at: d.at,
      version: d.version,
      byId: d.by.toHexString(),
      changes: d.changes.filter((c) => c.includes(":")).map((c) => {
        const [studentId, kind] = c.split(":");
        return { studentId, kind: kind === "-" ? null : ({ U: "UNEXCUSED", E: "EXCUSED", L: "LATE", A: "APPROVED_ACTIVITY" } as const)[kind as "U"] };
      }),
    }));
  }
}

@Resolver(() => LessonChange)
export class LessonChangeResolver {
  @FieldResolver(() => User, { description: "Who made the change" })
  by(@Root() c: LessonChange, @Ctx() ctx: AppContext): Promise<User> {
    return userById(ctx, c.byId);
  }
}

@Resolver(() => AbsenceType)
export class AbsenceResolver {
  @FieldResolver(() => User, { description: "The student marked" })
  student(@Root() a: Absence, @Ctx() ctx: AppContext): Promise<User> {
    return userById(ctx, a.studentId);
  }

  @FieldResolver(() => User, { description: "Who reported the mark" })
  reportedBy(@Root() a: Absence, @Ctx() ctx: AppContext): Promise<User> {
    return userById(ctx, a.reportedBy);
  }
}

@Resolver(() => Group)
export class GroupResolver {
  @FieldResolver(() => School, { description: "The school it belongs to" })
  async school(@Root() g: Group, @Ctx() ctx: AppContext): Promise<School> {
    return toSchool(await ctx.services.attendanceDirectory.school(g.schoolId));
  }

  @FieldResolver(() => [User], { description: "The INSTRUCTORs who take its registers" })
  async teachers(@Root() g: Group, @Ctx() ctx: AppContext): Promise<User[]> {
    return Promise.all((await ctx.services.attendance.teachersOf(g.id)).map((id) => userById(ctx, id)));
  }

  @FieldResolver(() => RollEntryConnection, { description: "Students on the roll (all: also past periods), paged" })
  async roll(
    @Root() g: Group,
    @Arg("all", { defaultValue: false, description: "Also students who left the roll (default: only those on it today)" }) all: boolean,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AppContext,
  ) {
    await ctx.services.attendance.group(ctx.user!, g.id);
    const page = await ctx.services.attendance.roll(g.id, all, first, after);
    return toConnection(page, after, (r) => encodeCursor(r._id), (r) => ({ studentId: r.student.toHexString(), from: r.from, to: r.to }));
  }
}

@Resolver(() => RollEntry)
export class RollEntryResolver {
  @FieldResolver(() => User, { description: "The student, by name: what a register screen lists" })
  student(@Root() r: RollEntry, @Ctx() ctx: AppContext): Promise<User> {
    return userById(ctx, r.studentId);
  }
}

@Resolver(() => School)
export class SchoolResolver {
  @FieldResolver(() => GroupConnection, { description: "Its groups (classes), oldest first" })
  async groups(@Root() s: School, @Args(() => ConnectionArgs) { first, after }: ConnectionArgs, @Ctx() ctx: AppContext) {
    return toConnection(await ctx.services.attendance.groupsOfSchool(s.id, first, after), after, (g) => encodeCursor(g._id), toGroup);
  }
}
