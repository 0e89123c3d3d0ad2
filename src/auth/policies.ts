// Who may do what to a course, and who may see what of a user: the one place these decisions are made.
import type { Types } from "mongoose";
import type { AuthUser } from "./tokens";

// Users.

/**
 * A user's recorded sex (for sex-restricted courses) is seen by that user and by ADMINs only; it
 * reaches nobody else who meets the user as a course's owner, staff on duty or a student in a line.
 * `viewer` null: a result shared by many viewers (a live feed executed once), so nobody's own.
 */
export function canSeeSex(viewer: AuthUser | null, userId: string): boolean {
  return viewer !== null && (viewer.role === "ADMIN" || viewer.id === userId);
}

/** The user themself and ADMINs see every e-mail; anyone else's view depends on the user (canSeeEmail). */
export function seesEmailOf(viewer: AuthUser | null, userId: string): boolean {
  return viewer !== null && (viewer.role === "ADMIN" || viewer.id === userId);
}

/**
 * Course staff (owners, instructors) are reached by e-mail by the members of a course they staff
 * (its students, enrolled or waitlisted, and its staff) and by ADMINs, not by every signed-in account.
 * Anyone else's e-mail (a student's) reaches only those the API shows that user to at all (their
 * course's staff, their group's teachers). `staffOf`: the courses the user staffs; `viewerCourses`:
 * the courses the viewer is a member of. `viewer` null: a shared result, so nobody's e-mail.
 */
export function canSeeEmail(
  viewer: AuthUser | null,
  userId: string,
  facts: { staffOf: readonly string[]; viewerCourses: ReadonlySet<string> },
): boolean {
  if (viewer === null) return false;
  if (seesEmailOf(viewer, userId) || facts.staffOf.length === 0) return true;
  return facts.staffOf.some((courseId) => facts.viewerCourses.has(courseId));
}

/**
 * Leaderboards show players by name: a player's user id is shown to that player (and to ADMINs),
 * never to the other players. `viewer` null: a shared result (the live leaderboard), so nobody's.
 */
export function canSeePlayerId(viewer: AuthUser | null, playerId: string): boolean {
  return viewer !== null && (viewer.role === "ADMIN" || viewer.id === playerId);
}

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

// Quizzes.

/** Course staff and ADMIN create, host and close a course's quizzes, and see every question. */
export function canHostQuiz(user: AuthUser, course: CourseRef): boolean {
  return isCourseStaff(user, course);
}

/** Only students enrolled in the course (a seat, not a waitlist place) play its quizzes. */
export function canPlayQuiz(user: AuthUser, enrollmentStatus: string | null | undefined): boolean {
  return user.role === "STUDENT" && enrollmentStatus === "E";
}

/** The quiz, its leaderboard and live feeds: its hosts and the students who may play it. */
export function canViewQuiz(user: AuthUser, course: CourseRef, enrollmentStatus: string | null | undefined): boolean {
  return canHostQuiz(user, course) || canPlayQuiz(user, enrollmentStatus);
}

/**
 * Players see a LIVE question once the host started it, a SELF_PACED one once the quiz is open;
 * hosts see everything.
 */
export function canSeeQuestion(host: boolean, q: { live: boolean; index: number; current: number; open: boolean; closed: boolean }): boolean {
  if (host || q.closed) return true;
  return q.live ? q.index <= q.current : q.open;
}

/** The correct option stays hidden from players until the question (or the quiz) has closed. */
export function canSeeCorrectOption(host: boolean, questionClosed: boolean): boolean {
  return host || questionClosed;
}

// Attendance. Registers are taken by the group's teachers (checked in Redis on the hot path, see
// `guard` in src/domain/attendance/lua/lib.lua); these decide everything else.

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
