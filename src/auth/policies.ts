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

// Attendance. Registers are taken by the group's teachers (checked in Redis on the hot path, see
// src/domain/attendance/scripts.ts); these decide everything else.

/** ADMIN (registrar) may correct any register; teachers only their groups'. */
export const canCorrectAnyRegister = (user: AuthUser): boolean => user.role === "ADMIN";

/** ADMIN and OBSERVER (inspectors, ministry) read attendance everywhere, regions included. */
export const readsAllAttendance = (user: AuthUser): boolean => user.role === "ADMIN" || user.role === "OBSERVER";

/** A school's registers, open lessons and statistics: its staff (anyone teaching one of its groups). */
export const canReadSchoolAttendance = (user: AuthUser, isSchoolStaff: boolean): boolean =>
  readsAllAttendance(user) || isSchoolStaff;

/** A group's registers and statistics: its teachers and the staff of its school. */
export const canReadGroupAttendance = (user: AuthUser, facts: { isGroupTeacher: boolean; isSchoolStaff: boolean }): boolean =>
  readsAllAttendance(user) || facts.isGroupTeacher || facts.isSchoolStaff;

/** A student's statistics: the student, and the staff of a school whose roll they are (or were) on. */
export const canReadStudentAttendance = (user: AuthUser, studentId: string, staffOfTheirSchool: boolean): boolean =>
  readsAllAttendance(user) || user.id === studentId || staffOfTheirSchool;

export const canReadRegionAttendance = readsAllAttendance;
