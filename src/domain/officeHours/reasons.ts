// Why office hours refuse an operation: each reason a rule gives (`extensions.reason`), with its error
// code and message, and who may act on and see a course's office hours. One table, so a reason reads
// the same wherever a rule gives it.
import { isCourseStaff, seesWholeLine } from "../../auth/policies";
import type { AuthUser } from "../../auth/tokens";
import type { CourseDoc } from "../../models/course";
import type { QueueEntryStatus } from "../../models/officeHours";
import { fail, type ErrorCode } from "../../platform/errors";
import type { CoursesService } from "../courses";
import type { EnrollmentService } from "../enrollment/service";

const REASONS: Record<string, [ErrorCode, string]> = {
  NOT_ENROLLED: ["FORBIDDEN", "Only students enrolled in the course may join its office hours"],
  ALREADY_IN_QUEUE: ["CONFLICT", "You are already in this course's line"],
  QUEUE_FULL: ["CONFLICT", "The line is full, try again later"],
  COOLDOWN: ["CONFLICT", "You were helped recently; you may join again after the cooldown"],
  OFFICE_HOURS_CLOSED: ["CONFLICT", "Open office hours (go on duty) before calling students"],
  INVITE_PENDING: ["CONFLICT", "You already have an invite waiting for an answer"],
  MEETING_IN_PROGRESS: ["CONFLICT", "A meeting is in progress"],
  INVITE_EXPIRED: ["CONFLICT", "The invite has expired"],
  NOT_INVITED: ["CONFLICT", "There is no invite to accept"],
  NOT_IN_QUEUE: ["NOT_FOUND", "You are not in this course's line"],
  NOT_IN_MEETING: ["CONFLICT", "This entry is not in a meeting"],
  ENTRY_CLOSED: ["CONFLICT", "This entry has already left the line"],
};

export const reasonError = (reason: keyof typeof REASONS, details?: Record<string, unknown>) => {
  const [code, message] = REASONS[reason];
  return fail(code, message, reason, details);
};

/** Why a staff member holding an entry in that state cannot call another student. */
export const heldError = (status: QueueEntryStatus) => reasonError(status === "IN_MEETING" ? "MEETING_IN_PROGRESS" : "INVITE_PENDING");

/** The course, if the caller is its staff: only they run its office hours. */
export async function staffCourse(courses: CoursesService, staff: AuthUser, courseId: string): Promise<CourseDoc> {
  const course = await courses.get(courseId);
  if (!isCourseStaff(staff, course)) throw fail("FORBIDDEN", "Only the course's staff may run its office hours", "NOT_COURSE_STAFF");
  return course;
}

/** Staff, ADMIN and OBSERVER see the whole line (true); enrolled students their part (false); others nothing. */
export async function requireViewer(enrollment: EnrollmentService, viewer: AuthUser, course: CourseDoc): Promise<boolean> {
  if (seesWholeLine(viewer, course)) return true;
  if (viewer.role !== "STUDENT") throw fail("FORBIDDEN", "Only the course's staff and enrolled students may see its office hours", "NOT_COURSE_STAFF");
  if (await enrollment.isEnrolled(viewer.id, course._id.toHexString())) return false;
  throw reasonError("NOT_ENROLLED");
}

const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** A range of statistics or planned windows: `from` before `to`, at most MAX_RANGE_DAYS. */
export function requireRange(from: Date, to: Date): void {
  if (!(from < to)) throw fail("BAD_USER_INPUT", "`from` must be before `to`", "INVALID_RANGE");
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) throw fail("BAD_USER_INPUT", `At most ${MAX_RANGE_DAYS} days`, "INVALID_RANGE");
}
