// Who may do what to a course: the one place these decisions are made.
import type { Types } from "mongoose";
import type { AuthUser } from "./tokens";

interface CourseRef {
  owner: Types.ObjectId;
  instructors: Types.ObjectId[];
}

/** Owner or ADMIN: edit, archive, staff and capacity. */
export function canManageCourse(user: AuthUser, course: CourseRef): boolean {
  return user.role === "ADMIN" || course.owner.toHexString() === user.id;
}

/** Course staff (owner, instructors) or ADMIN: see who is enrolled, run office hours. */
export function isCourseStaff(user: AuthUser, course: CourseRef): boolean {
  return canManageCourse(user, course) || course.instructors.some((i) => i.toHexString() === user.id);
}

/** Everything of a course's office hours is visible to its staff, ADMIN and OBSERVER (read-only). */
export function seesWholeLine(user: AuthUser, course: CourseRef): boolean {
  return user.role === "OBSERVER" || isCourseStaff(user, course);
}
