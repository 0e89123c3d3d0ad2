// What a viewer sees of office hours: the line, its status, a student's own entry, the office hours
// open to a student, the statistics. Each read checks who may see it first (reasons.ts) and reads the
// line as the line store serves it (lineStore.ts: usually one Redis read); none writes.
import { Types } from "mongoose";
import { seesWholeLine } from "../../auth/policies";
import type { AuthUser } from "../../auth/tokens";
import type { QueueState } from "../../events/catalogue";
import { QueueEntryModel, type QueueEntryDoc } from "../../models/officeHours";
import { fail, nullIfNotFound } from "../../platform/errors";
import { forEachConcurrently } from "../../platform/async";
import type { CoursesService } from "../courses";
import type { EnrollmentService } from "../enrollment/service";
import type { LineStore } from "./lineStore";
import { requireRange, requireViewer } from "./reasons";
import { computeStats, type OfficeHoursStatsView } from "./stats";
import { entryState, queueState, viewEntry, viewQueue, viewStatus, type EntryView, type QueueView, type StatusView } from "./views";

/** A student's lines read at once by openForStudent (each usually a cache read). */
const OPEN_LOOKUPS = 8;

export class OfficeHoursReads {
  constructor(
    private readonly deps: {
      courses: CoursesService;
      enrollment: EnrollmentService;
      line: LineStore;
    },
  ) {}

  /** The line as the viewer may see it: every entry for staff, counts and their own entry for students. */
  async queue(viewer: AuthUser, courseId: string): Promise<QueueView> {
    const course = await this.deps.courses.get(courseId);
    const seesEveryone = await requireViewer(this.deps.enrollment, viewer, course);
    return viewQueue(await this.state(course._id), { userId: viewer.id, seesEveryone });
  }

  async status(viewer: AuthUser, courseId: string): Promise<StatusView> {
    const course = await this.deps.courses.get(courseId);
    const seesEveryone = await requireViewer(this.deps.enrollment, viewer, course);
    return viewStatus(await this.state(course._id), { userId: viewer.id, seesEveryone });
  }

  /** The student's entry in the line, else their latest one in the course. */
  async myEntry(student: AuthUser, courseId: string): Promise<EntryView | null> {
    const course = await this.deps.courses.get(courseId);
    const queue = await this.state(course._id);
    const active = queue.entries.find((e) => e.studentId === student.id);
    if (active) return viewEntry(active, queue);
    const latest = await QueueEntryModel.findOne({ course: course._id, student: new Types.ObjectId(student.id) })
      .sort({ joinedAt: -1 })
      .lean<QueueEntryDoc>();
    return latest ? viewEntry(entryState(latest), queue) : null;
  }

  /**
   * Office hours open now in the courses the student holds a seat in (archived ones left out), in
   * course order: where they may join a line that will be served.
   */
  async openForStudent(student: AuthUser): Promise<StatusView[]> {
    const courseIds = (await this.deps.enrollment.enrolledCourseIds(student.id)).sort();
    const views: (StatusView | null)[] = new Array(courseIds.length).fill(null);
    let failure: unknown;
    await forEachConcurrently(
      courseIds.map((id, i) => ({ id, i })),
      OPEN_LOOKUPS,
      async ({ id, i }) => {
        const course = await this.deps.courses.get(id).catch(nullIfNotFound);
        if (!course || course.archived || !(await this.deps.line.exists(course._id))) return;
        const view = viewStatus(await this.state(course._id), { userId: student.id, seesEveryone: false });
        if (view.open) views[i] = view;
      },
      (err) => (failure ??= err),
    );
    if (failure) throw failure;
    return views.filter((v): v is StatusView => v !== null);
  }

  /** For subscriptions: may this user watch this line, and do they see every entry? */
  async watcher(viewer: AuthUser, courseId: string): Promise<{ courseId: string; seesEveryone: boolean }> {
    const course = await this.deps.courses.get(courseId);
    return { courseId: course._id.toHexString(), seesEveryone: await requireViewer(this.deps.enrollment, viewer, course) };
  }

  /** The line as it stands (what a subscriber gets first). */
  current(courseId: string): Promise<QueueState> {
    return this.state(new Types.ObjectId(courseId));
  }

  async stats(viewer: AuthUser, courseId: string, from: Date, to: Date): Promise<OfficeHoursStatsView> {
    const course = await this.deps.courses.get(courseId);
    if (!seesWholeLine(viewer, course)) throw fail("FORBIDDEN", "Only course staff may see office-hours statistics", "NOT_COURSE_STAFF");
    requireRange(from, to);
    const entries = await QueueEntryModel.find({ course: course._id, joinedAt: { $gte: from, $lt: to } })
      .select({ status: 1, joinedAt: 1, history: 1 })
      .lean<Pick<QueueEntryDoc, "status" | "joinedAt" | "history">[]>();
    return computeStats(entries);
  }

  private async state(courseId: Types.ObjectId): Promise<QueueState> {
    return queueState(await this.deps.line.read(courseId));
  }
}
