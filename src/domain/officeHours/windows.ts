// Planned office-hours windows (SPEC 4.3): when and where a staff member means to hold office hours.
// A window is a plan, apart from the line (going on duty is openOfficeHours). Course staff schedule
// and cancel windows; the course's students and staff list them.
import { Types } from "mongoose";
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import { actorOf } from "../../events/catalogue";
import { OfficeHoursWindowModel, type OfficeHoursWindowDoc } from "../../models/officeHours";
import type { Clock } from "../../platform/clock";
import { fail } from "../../platform/errors";
import { isObjectId } from "../../platform/ids";
import type { CoursesService } from "../courses";
import type { EnrollmentService } from "../enrollment/service";
import { requireRange, requireViewer, staffCourse } from "./reasons";

export interface WindowInput {
  startsAt: Date;
  endsAt: Date;
  location?: string | null;
  note?: string | null;
}

const MAX_SCHEDULE_ITEMS = 100;
const DAY_MS = 86_400_000;

export class OfficeHoursWindows {
  constructor(
    private readonly deps: {
      courses: CoursesService;
      enrollment: EnrollmentService;
      events: EventBus;
      clock: Clock;
    },
  ) {}

  async schedule(staff: AuthUser, courseId: string, input: WindowInput): Promise<OfficeHoursWindowDoc> {
    const course = await staffCourse(this.deps.courses, staff, courseId);
    if (!(input.startsAt < input.endsAt)) throw fail("BAD_USER_INPUT", "A window must start before it ends", "INVALID_WINDOW");
    if (input.endsAt.getTime() - input.startsAt.getTime() > DAY_MS) throw fail("BAD_USER_INPUT", "A window lasts at most a day", "INVALID_WINDOW");
    if (input.endsAt.getTime() <= this.deps.clock()) throw fail("BAD_USER_INPUT", "A window must end in the future", "INVALID_WINDOW");
    const window = (
      await OfficeHoursWindowModel.create({
        course: course._id,
        host: new Types.ObjectId(staff.id),
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        location: input.location?.trim() || null,
        note: input.note?.trim() || null,
      })
    ).toObject() as OfficeHoursWindowDoc;
    await this.deps.events.publish(
      "OfficeHoursScheduled",
      { courseId, windowId: window._id.toHexString(), hostId: staff.id, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() },
      actorOf(staff),
    );
    return window;
  }

  async cancelWindow(staff: AuthUser, windowId: string): Promise<OfficeHoursWindowDoc> {
    const found = isObjectId(windowId) ? await OfficeHoursWindowModel.findById(windowId).lean<OfficeHoursWindowDoc>() : null;
    if (!found) throw fail("NOT_FOUND", "Office-hours window not found", "WINDOW_NOT_FOUND");
    await staffCourse(this.deps.courses, staff, found.course.toHexString());
    await OfficeHoursWindowModel.updateOne({ _id: found._id }, { $set: { cancelled: true } });
    await this.deps.events.publish("OfficeHoursWindowCancelled", { courseId: found.course.toHexString(), windowId }, actorOf(staff));
    return { ...found, cancelled: true };
  }

  /** Planned windows overlapping [from, to) (at most 100, soonest first); for the course's students and staff. */
  async scheduleOf(viewer: AuthUser, courseId: string, from: Date, to: Date): Promise<OfficeHoursWindowDoc[]> {
    const course = await this.deps.courses.get(courseId);
    await requireViewer(this.deps.enrollment, viewer, course);
    requireRange(from, to);
    const rows = await OfficeHoursWindowModel.find({ course: course._id, cancelled: false, startsAt: { $lt: to }, endsAt: { $gt: from } }).lean<
      OfficeHoursWindowDoc[]
    >();
    return rows.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()).slice(0, MAX_SCHEDULE_ITEMS);
  }
}
