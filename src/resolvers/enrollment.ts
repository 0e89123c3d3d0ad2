// The enrollment root fields (enroll, disenroll, switchCourse, an ADMIN's overrides and profiles, a
// course's enrollments, a student's own and their live feed): each carries its roles and calls the
// enrollment service, where the seat rules are decided (atomically, in Redis).
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Allow } from "../auth/authChecker";
import type { AppContext } from "../context";
import { myEnrollmentsFeed } from "../domain/enrollment/feeds";
import { encodeOffset, type EnrollmentView } from "../domain/enrollment/service";
import type { EnrollmentStatus } from "../models/enrollment";
import { fail } from "../platform/errors";
import { Course, toCourse } from "../schema/course";
import {
  Enrollment,
  EnrollmentConnection,
  EnrollmentProfile,
  EnrollmentProfileInput,
  EnrollmentStatusEnum,
  SwitchResult,
  toEnrollment,
} from "../schema/enrollment";
import { ConnectionArgs, pageInfoOf } from "../schema/relay";
import { User, toUser } from "../schema/user";
import { courseRelations } from "./courses";
import { byRole } from "../events/access";

@Resolver(() => Enrollment)
export class EnrollmentResolver {
  @Allow("STUDENT")
  @Mutation(() => Enrollment, { description: "A seat (ENROLLED) if one is free, else a waitlist place (WAITLISTED), else COURSE_FULL" })
  async enroll(@Arg("courseId", () => ID, { description: "The course to enroll in" }) courseId: string, @Ctx() ctx: AppContext): Promise<Enrollment> {
    return toEnrollment(await ctx.services.enrollment.enroll(ctx.user!, courseId));
  }

  @Allow("STUDENT")
  @Mutation(() => Enrollment, { description: "Leave a seat (costs one remaining change) or a waitlist place" })
  async disenroll(@Arg("courseId", () => ID, { description: "The course to leave (a seat or a waitlist place)" }) courseId: string, @Ctx() ctx: AppContext): Promise<Enrollment> {
    return toEnrollment(await ctx.services.enrollment.disenroll(ctx.user!, courseId));
  }

  @Allow("STUDENT")
  @Mutation(() => SwitchResult, { description: "Atomic: you keep the first course unless the second gives you a seat" })
  async switchCourse(
    @Arg("fromCourseId", () => ID, { description: "The course you hold a seat in and leave" }) fromCourseId: string,
    @Arg("toCourseId", () => ID, { description: "The course you take a seat in" }) toCourseId: string,
    @Ctx() ctx: AppContext,
  ): Promise<SwitchResult> {
    const r = await ctx.services.enrollment.switchCourse(ctx.user!, fromCourseId, toCourseId);
    return { dropped: toEnrollment(r.dropped), enrolled: toEnrollment(r.enrolled) };
  }

  @Allow("ADMIN")
  @Mutation(() => Enrollment, { description: "Past capacity, window and rules; audited (ADMIN)" })
  async forceEnroll(
    @Arg("courseId", () => ID, { description: "The course to seat the student in" }) courseId: string,
    @Arg("studentId", () => ID, { description: "The STUDENT to seat" }) studentId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Enrollment> {
    return toEnrollment(await ctx.services.enrollment.forceEnroll(ctx.user!, courseId, studentId));
  }

  @Allow("ADMIN")
  @Mutation(() => Enrollment, { description: "Regardless of window and remaining changes; audited (ADMIN)" })
  async forceDisenroll(
    @Arg("courseId", () => ID, { description: "The course to take the student out of" }) courseId: string,
    @Arg("studentId", () => ID, { description: "The student to take out" }) studentId: string,
    @Ctx() ctx: AppContext,
  ): Promise<Enrollment> {
    return toEnrollment(await ctx.services.enrollment.forceDisenroll(ctx.user!, courseId, studentId));
  }

  @Allow("ADMIN")
  @Mutation(() => EnrollmentProfile, { description: "Unit cap, personal time ticket, remaining changes (ADMIN)" })
  async setEnrollmentProfile(
    @Arg("studentId", () => ID, { description: "The STUDENT whose profile to set" }) studentId: string,
    @Arg("input", () => EnrollmentProfileInput, { description: "The changes" }) input: EnrollmentProfileInput,
    @Ctx() ctx: AppContext,
  ): Promise<EnrollmentProfile> {
    return ctx.services.enrollment.setProfile(ctx.user!, studentId, input);
  }

  @Allow("STUDENT")
  @Query(() => [Enrollment], { description: "Your seats and waitlist places" })
  async myEnrollments(@Ctx() ctx: AppContext): Promise<Enrollment[]> {
    return (await ctx.services.enrollment.mine(ctx.user!)).map(toEnrollment);
  }

  @Allow("STUDENT")
  @Query(() => EnrollmentProfile, { description: "Your unit cap, time ticket and remaining changes" })
  async myEnrollmentProfile(@Ctx() ctx: AppContext): Promise<EnrollmentProfile> {
    return ctx.services.enrollment.profile(ctx.user!);
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Query(() => EnrollmentConnection, { description: "Enrolled students, then the waitlist in order (course staff, ADMIN)" })
  async courseEnrollments(
    @Arg("courseId", () => ID, { description: "The course (you are its staff, or an ADMIN)" }) courseId: string,
    @Arg("status", () => EnrollmentStatusEnum, { nullable: true, description: "Only ENROLLED or only WAITLISTED (default: both)" }) status: EnrollmentStatus | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: AppContext,
  ) {
    if (status === "DROPPED") throw fail("BAD_USER_INPUT", "Only ENROLLED or WAITLISTED", "INVALID_STATUS");
    const page = await ctx.services.enrollment.ofCourse(ctx.user!, courseId, status, first, after);
    const edges = page.items.map((v, i) => ({ cursor: encodeOffset(page.offset + i + 1), node: toEnrollment(v) }));
    return { edges, pageInfo: pageInfoOf(edges, page.hasNextPage, after) };
  }

  @Allow("STUDENT")
  @Subscription(() => Enrollment, {
    description: "Your enrollments as they change: seats, waitlist places, promotions, drops",
    subscribe: async ({ context }) => {
      const ctx = context as AppContext;
      return myEnrollmentsFeed(ctx.services, await ctx.services.access.grant(ctx.user!, byRole("STUDENT")), ctx.user!.id);
    },
  })
  myEnrollmentChanged(@Root() enrollment: EnrollmentView): Enrollment {
    return toEnrollment(enrollment);
  }

  @FieldResolver(() => Course, { description: "The course this place is in" })
  async course(@Root() e: Enrollment, @Ctx() ctx: AppContext): Promise<Course> {
    return toCourse(await ctx.services.courses.get(e.courseId), courseRelations(ctx));
  }

  @FieldResolver(() => User, { description: "Visible to the student and to course staff" })
  async student(@Root() e: Enrollment, @Ctx() ctx: AppContext): Promise<User> {
    const user = await ctx.services.accounts.loader.load(e.studentId);
    if (!user) throw fail("NOT_FOUND", "Student not found", "USER_NOT_FOUND");
    return toUser(user);
  }
}
