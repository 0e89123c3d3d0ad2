// The office-hours root fields (the line, duty, invites and meetings, policy, planned windows,
// statistics, three live feeds): each carries its roles and calls the office-hours service, which
// decides who may act on which line; a live feed lasts only as long as its right (events/access.ts).
import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Allow } from "../auth/authChecker";
import type { AppContext } from "../context";
import { myEntryFeed, queueFeed, statusFeed, type LineWatch } from "../domain/officeHours/feeds";
import type { EntryView, QueueView, StatusView } from "../domain/officeHours/views";
import { MAX_TEXT } from "../domain/officeHours/service";
import { checkArg, dateInRange, httpsUrl, safeText } from "../schema/bounds";
import { toCourse } from "../schema/course";
import {
  OfficeHoursPolicyInput,
  OfficeHoursStatus,
  OfficeHoursWindow,
  OfficeHoursWindowInput,
  QueueEntry,
  QueueSnapshot,
  toOfficeHoursStatus,
  toOfficeHoursWindow,
  toQueueEntry,
  toQueueSnapshot,
  type OfficeHoursRelations,
} from "../schema/officeHours";
import { OfficeHoursStats, toOfficeHoursStats } from "../schema/officeHoursStats";
import { toUser } from "../schema/user";
import { courseRelations } from "./courses";
import type { Role } from "../models/user";

const DAY_MS = 86_400_000;

@Resolver()
export class OfficeHoursResolver {
  // ---- students ----

  @Allow("STUDENT")
  @Mutation(() => QueueEntry, { description: "Join the course's line (enrolled students; one active entry per course)" })
  async joinQueue(
    @Arg("courseId", () => ID, { description: "The course whose line to join (you hold a seat in it)" }) courseId: string,
    @Arg("question", { validateFn: checkArg("question", safeText({ max: MAX_TEXT, multiline: true }), "INVALID_QUESTION"), description: "What you want help with, 1 to 1000 characters" }) question: string,
    @Ctx() ctx: AppContext,
  ): Promise<QueueEntry> {
    return toQueueEntry(await ctx.services.officeHours.joinQueue(ctx.user!, courseId, question), relations(ctx));
  }

  @Allow("STUDENT")
  @Mutation(() => QueueEntry, { description: "Leave the line (declines a pending invite)" })
  async leaveQueue(@Arg("courseId", () => ID, { description: "The course whose line to leave" }) courseId: string, @Ctx() ctx: AppContext): Promise<QueueEntry> {
    return toQueueEntry(await ctx.services.officeHours.leaveQueue(ctx.user!, courseId), relations(ctx));
  }

  @Allow("STUDENT")
  @Mutation(() => QueueEntry, { description: "Accept an invite before it expires: the meeting starts" })
  async acceptInvite(@Arg("entryId", () => ID, { description: "Your entry (QueueEntry.id)" }) entryId: string, @Ctx() ctx: AppContext): Promise<QueueEntry> {
    return toQueueEntry(await ctx.services.officeHours.acceptInvite(ctx.user!, entryId), relations(ctx));
  }

  @Allow("STUDENT")
  @Query(() => QueueEntry, { nullable: true, description: "Your current (or latest) entry in the course's line" })
  async myQueueEntry(@Arg("courseId", () => ID, { description: "The course whose line" }) courseId: string, @Ctx() ctx: AppContext): Promise<QueueEntry | null> {
    const entry = await ctx.services.officeHours.myEntry(ctx.user!, courseId);
    return entry && toQueueEntry(entry, relations(ctx));
  }

  @Allow("STUDENT")
  @Query(() => [OfficeHoursStatus], {
    description: "Office hours open now in the courses you hold a seat in, in course order: each course and who is on duty (join with joinQueue)",
  })
  async myOpenOfficeHours(@Ctx() ctx: AppContext): Promise<OfficeHoursStatus[]> {
    const related = relations(ctx);
    return (await ctx.services.officeHours.openForStudent(ctx.user!)).map((v) => toOfficeHoursStatus(v, related));
  }

  // ---- staff ----

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => OfficeHoursStatus, { description: "Go on duty for the course (course staff); students are invited to your meeting link" })
  async openOfficeHours(
    @Arg("courseId", () => ID, { description: "The course (you are its staff, or an ADMIN)" }) courseId: string,
    @Arg("meetingLink", { description: "The meeting's https URL", validateFn: checkArg("meetingLink", httpsUrl(MAX_TEXT), "INVALID_MEETING_LINK") }) meetingLink: string,
    @Ctx() ctx: AppContext,
  ): Promise<OfficeHoursStatus> {
    return toOfficeHoursStatus(await ctx.services.officeHours.openOfficeHours(ctx.user!, courseId, meetingLink), relations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => OfficeHoursStatus, { description: "Go off duty (or close for everyone); the line stays" })
  async closeOfficeHours(
    @Arg("courseId", () => ID, { description: "The course (you are its staff, or an ADMIN)" }) courseId: string,
    @Arg("everyone", { defaultValue: false, description: "Take every staff member off duty, closing office hours (default: only you)" }) everyone: boolean,
    @Ctx() ctx: AppContext,
  ): Promise<OfficeHoursStatus> {
    return toOfficeHoursStatus(await ctx.services.officeHours.closeOfficeHours(ctx.user!, courseId, everyone), relations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => QueueEntry, { nullable: true, description: "Invite the oldest waiting student (null when nobody waits)" })
  async callNext(@Arg("courseId", () => ID, { description: "The course whose line to call from (you are its staff, or an ADMIN)" }) courseId: string, @Ctx() ctx: AppContext): Promise<QueueEntry | null> {
    const entry = await ctx.services.officeHours.callNext(ctx.user!, courseId);
    return entry && toQueueEntry(entry, relations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => QueueEntry, { description: "Ends the meeting (DONE); you may then call the next student" })
  async endMeeting(@Arg("entryId", () => ID, { description: "The entry in the meeting" }) entryId: string, @Ctx() ctx: AppContext): Promise<QueueEntry> {
    return toQueueEntry(await ctx.services.officeHours.endMeeting(ctx.user!, entryId), relations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => QueueEntry, { description: "Take an entry out of the line (kept in its history with the reason)" })
  async removeFromQueue(
    @Arg("entryId", () => ID, { description: "The entry" }) entryId: string,
    @Arg("reason", () => String, { nullable: true, validateFn: checkArg("reason", safeText({ min: 0, max: MAX_TEXT, multiline: true })), description: "Why (kept in its history), at most 1000 characters" }) reason: string | null,
    @Ctx() ctx: AppContext,
  ): Promise<QueueEntry> {
    return toQueueEntry(await ctx.services.officeHours.removeFromQueue(ctx.user!, entryId, reason ?? null), relations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => OfficeHoursStatus, { description: "Expired-invite policy, maximum line length, cooldown, maximum wait" })
  async setOfficeHoursPolicy(
    @Arg("courseId", () => ID, { description: "The course (you are its staff, or an ADMIN)" }) courseId: string,
    @Arg("input", () => OfficeHoursPolicyInput, { description: "The rules to change" }) input: OfficeHoursPolicyInput,
    @Ctx() ctx: AppContext,
  ): Promise<OfficeHoursStatus> {
    return toOfficeHoursStatus(await ctx.services.officeHours.setPolicy(ctx.user!, courseId, input), relations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => OfficeHoursWindow, { description: "Publish a planned office-hours window" })
  async scheduleOfficeHours(
    @Arg("courseId", () => ID, { description: "The course (you are its staff, or an ADMIN)" }) courseId: string,
    @Arg("input", () => OfficeHoursWindowInput, { description: "When and where" }) input: OfficeHoursWindowInput,
    @Ctx() ctx: AppContext,
  ): Promise<OfficeHoursWindow> {
    return toOfficeHoursWindow(await ctx.services.officeHours.schedule(ctx.user!, courseId, input), relations(ctx));
  }

  @Allow("INSTRUCTOR", "ADMIN")
  @Mutation(() => OfficeHoursWindow, { description: "Cancels a planned window (course staff)" })
  async cancelOfficeHoursWindow(@Arg("windowId", () => ID, { description: "The window" }) windowId: string, @Ctx() ctx: AppContext): Promise<OfficeHoursWindow> {
    return toOfficeHoursWindow(await ctx.services.officeHours.cancelWindow(ctx.user!, windowId), relations(ctx));
  }

  // ---- everyone who may see the line ----

  @Allow()
  @Query(() => QueueSnapshot, { description: "The line: every entry for course staff (and ADMIN, OBSERVER), counts and your own entry for enrolled students" })
  async officeHoursQueue(@Arg("courseId", () => ID, { description: "The course whose line to read" }) courseId: string, @Ctx() ctx: AppContext): Promise<QueueSnapshot> {
    return toQueueSnapshot(await ctx.services.officeHours.queue(ctx.user!, courseId), relations(ctx));
  }

  @Allow()
  @Query(() => [OfficeHoursWindow], { description: "Planned windows overlapping [from, to) (default: the next 30 days), soonest first, at most 100" })
  async officeHoursSchedule(
    @Arg("courseId", () => ID, { description: "The course whose windows to list" }) courseId: string,
    @Arg("from", () => Date, { nullable: true, validateFn: checkArg("from", dateInRange(), "INVALID_RANGE"), description: "Start of the range (default: now)" }) from: Date | null,
    @Arg("to", () => Date, { nullable: true, validateFn: checkArg("to", dateInRange(), "INVALID_RANGE"), description: "End of the range (default: 30 days after from)" }) to: Date | null,
    @Ctx() ctx: AppContext,
  ): Promise<OfficeHoursWindow[]> {
    const start = from ?? new Date();
    const windows = await ctx.services.officeHours.scheduleOf(ctx.user!, courseId, start, to ?? new Date(start.getTime() + 30 * DAY_MS));
    const related = relations(ctx);
    return windows.map((w) => toOfficeHoursWindow(w, related));
  }

  @Allow("INSTRUCTOR", "ADMIN", "OBSERVER")
  @Query(() => OfficeHoursStats, { description: "Waits, meeting lengths and no-shows, overall and per staff member, of entries that joined in [from, to)" })
  async officeHoursStats(
    @Arg("courseId", () => ID, { description: "The course (you are its staff, or an ADMIN)" }) courseId: string,
    @Arg("from", () => Date, { validateFn: checkArg("from", dateInRange(), "INVALID_RANGE"), description: "Entries that joined from then" }) from: Date,
    @Arg("to", () => Date, { validateFn: checkArg("to", dateInRange(), "INVALID_RANGE"), description: "Entries that joined before then" }) to: Date,
    @Ctx() ctx: AppContext,
  ): Promise<OfficeHoursStats> {
    return toOfficeHoursStats(await ctx.services.officeHours.stats(ctx.user!, courseId, from, to), relations(ctx));
  }

  // ---- live ----

  @Allow()
  @Subscription(() => QueueSnapshot, {
    description: "The line now, then after every change (versioned: a snapshot never goes back in version)",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      return queueFeed(ctx.services, await watchLine(ctx, args.courseId), ctx.user!.id);
    },
  })
  queueChanged(@Root() view: QueueView, @Arg("courseId", () => ID, { description: "The course whose line to follow" }) _courseId: string, @Ctx() ctx: AppContext): QueueSnapshot {
    return toQueueSnapshot(view, relations(ctx));
  }

  @Allow("STUDENT")
  @Subscription(() => QueueEntry, {
    description: "Your entry in the course's line: now (if any), then its position, invite (meeting link, expiry), meeting and end",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      return myEntryFeed(ctx.services, await watchLine(ctx, args.courseId, ["STUDENT"]), ctx.user!.id);
    },
  })
  myQueueEntryChanged(@Root() view: EntryView, @Arg("courseId", () => ID, { description: "The course whose line you are in" }) _courseId: string, @Ctx() ctx: AppContext): QueueEntry {
    return toQueueEntry(view, relations(ctx));
  }

  @Allow()
  @Subscription(() => OfficeHoursStatus, {
    description: "Open or closed, who is on duty and what they are doing: now, then on every change of it",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      return statusFeed(ctx.services, await watchLine(ctx, args.courseId), ctx.user!.id);
    },
  })
  officeHoursStatusChanged(@Root() view: StatusView, @Arg("courseId", () => ID, { description: "The course whose office hours to follow" }) _courseId: string, @Ctx() ctx: AppContext): OfficeHoursStatus {
    return toOfficeHoursStatus(view, relations(ctx));
  }
}

/** Who may watch a course's line (staff, ADMIN, OBSERVER: all of it; enrolled students: their part), for as long as they may. */
function watchLine(ctx: AppContext, courseId: unknown, roles?: Role[]): Promise<LineWatch> {
  return ctx.services.access.grant(ctx.user!, { roles, check: (viewer) => ctx.services.officeHours.watcher(viewer, String(courseId)) });
}

/** Per request: people and courses that entries point to, batched and cached like the catalogue's. */
function relations(ctx: AppContext): OfficeHoursRelations {
  const courses = courseRelations(ctx);
  return {
    user: async (id) => {
      const user = await ctx.services.accounts.loader.load(id);
      return user ? toUser(user) : null;
    },
    course: async (id) => toCourse(await ctx.services.courses.get(id), courses),
  };
}
