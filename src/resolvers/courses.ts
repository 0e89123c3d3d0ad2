// The course root fields (the catalogue, a course, its changes and staff, the live seat counts): each
// carries its roles and calls the courses or enrollment service, which decides who may change what.
// courseRelations gives every resolver that shows courses their seats and people, batched per request.
import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Allow } from "../auth/authChecker";
import type { AppContext } from "../context";
import type { SeatsSnapshot } from "../events/catalogue";
import { seatsFeed } from "../domain/enrollment/feeds";
import { nullIfNotFound } from "../platform/errors";
import { loadExisting } from "../platform/loader";
import { encodeCursor } from "../platform/pagination";
import type { CourseDoc } from "../models/course";
import { checkArg, intRange } from "../schema/bounds";
import { Course, CourseConnection, CourseFilterInput, CourseSeats, CreateCourseInput, MAX_CAPACITY, UpdateCourseInput, toCourse, type CourseRelations } from "../schema/course";
import { ConnectionArgs, toConnection } from "../schema/relay";
import { toUser } from "../schema/user";
import { byRole } from "../events/access";

export const toSeats = (courseId: string, c: { capacity: number; enrolled: number; waitlisted: number }): CourseSeats => ({
  courseId,
  capacity: c.capacity,
  enrolledCount: c.enrolled,
  waitlistCount: c.waitlisted,
  seatsLeft: Math.max(0, c.capacity - c.enrolled),
});

@Resolver(() => Course)
export class CoursesResolver {
  @Allow()
  @Query(() => CourseConnection, { description: "The catalogue (archived courses only with includeArchived)" })
  async courses(
    @Arg("filter", () => CourseFilterInput, { nullable: true, description: "Which courses (default: every course not archived)" }) filter: CourseFilterInput | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AppContext,
  ) {
    const page = ctx.services.courses.list(filter ?? {}, first, after);
    const related = courseRelations(ctx);
    return toConnection(page, after, (c: CourseDoc) => encodeCursor(c._id), (c) => toCourse(c, related));
  }

  @Allow()
  @Query(() => Course, { nullable: true, description: "One course, archived or not (null if there is no such course)" })
  async course(@Arg("id", () => ID, { description: "The course id" }) id: string, @Ctx() ctx: AppContext): Promise<Course | null> {
    const doc = await ctx.services.courses.get(id).catch(nullIfNotFound);
    return doc ? toCourse(doc, courseRelations(ctx)) : null;
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Course, { description: "The caller owns it (an ADMIN may name another owner)" })
  async createCourse(@Arg("input", () => CreateCourseInput, { description: "The course" }) input: CreateCourseInput, @Ctx() ctx: AppContext): Promise<Course> {
    return toCourse(await ctx.services.courses.create(ctx.user!, input), courseRelations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Course, { description: "Owner or ADMIN" })
  async updateCourse(
    @Arg("id", () => ID, { description: "The course (you own it, or are an ADMIN)" }) id: string,
    @Arg("input", () => UpdateCourseInput, { description: "The changes" }) input: UpdateCourseInput,
    @Ctx() ctx: AppContext,
  ): Promise<Course> {
    return toCourse(await ctx.services.courses.update(ctx.user!, id, input), courseRelations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Course, { description: "Soft delete: enrollments are kept; owner or ADMIN" })
  async archiveCourse(@Arg("id", () => ID, { description: "The course (you own it, or are an ADMIN)" }) id: string, @Ctx() ctx: AppContext): Promise<Course> {
    return toCourse(await ctx.services.courses.archive(ctx.user!, id), courseRelations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Course, { description: "Makes an INSTRUCTOR course staff (office hours, quizzes, enrollments); owner or ADMIN; idempotent" })
  async assignInstructor(
    @Arg("courseId", () => ID, { description: "The course (you own it, or are an ADMIN)" }) courseId: string,
    @Arg("instructorId", () => ID, { description: "An INSTRUCTOR account" }) instructorId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Course> {
    return toCourse(await ctx.services.courses.assignInstructor(ctx.user!, courseId, instructorId), courseRelations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Course, { description: "Takes an instructor off the course staff (their live feeds of it stop); owner or ADMIN" })
  async removeInstructor(
    @Arg("courseId", () => ID, { description: "The course (you own it, or are an ADMIN)" }) courseId: string,
    @Arg("instructorId", () => ID, { description: "The instructor to remove" }) instructorId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Course> {
    return toCourse(await ctx.services.courses.removeInstructor(ctx.user!, courseId, instructorId), courseRelations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => Course, { description: "Never below the enrolled count; raising it promotes from the waitlist" })
  async updateCapacity(
    @Arg("courseId", () => ID, { description: "The course (you own it, or are an ADMIN)" }) courseId: string,
    @Arg("capacity", () => Int, { validateFn: checkArg("capacity", intRange(0, MAX_CAPACITY), "INVALID_CAPACITY"), description: "Seats, 0 to 100000, at least the enrolled count (CAPACITY_BELOW_ENROLLED)" }) capacity: number,
    @Arg("reserveCapacity", () => Int, { validateFn: checkArg("reserveCapacity", intRange(0, MAX_CAPACITY), "INVALID_CAPACITY"), description: "Waitlist size, 0 to 100000" }) reserveCapacity: number,
    @Ctx() ctx: AppContext,
  ): Promise<Course> {
    return toCourse(await ctx.services.courses.updateCapacity(ctx.user!, courseId, capacity, reserveCapacity), courseRelations(ctx));
  }

  @Allow()
  @Subscription(() => CourseSeats, {
    description: "Live seat counts: the current counts first, then after every change",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      // Open to everyone signed in: held only while the account is.
      return seatsFeed(ctx.services, await ctx.services.access.grant(ctx.user!, byRole()), String(args.courseId));
    },
  })
  courseSeatsChanged(@Root() seats: SeatsSnapshot, @Arg("courseId", () => ID, { description: "The course whose seats to follow" }) _courseId: string): CourseSeats {
    return toSeats(seats.courseId, seats);
  }
}

/** Per request: a course's seats and people, batched with the other courses of the response. */
export function courseRelations(ctx: AppContext): CourseRelations {
  return {
    seats: (courseId) => ctx.services.enrollment.seatsOf(courseId),
    users: async (ids) => {
      return (await loadExisting(ctx.services.accounts.loader, ids)).map(toUser);
    },
  };
}
