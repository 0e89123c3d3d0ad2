// A refusal in words. The API's errors carry `extensions.code` (FORBIDDEN, CONFLICT, ...) and, for
// domain rules, `extensions.reason` (COURSE_FULL, INVITE_EXPIRED, ...); the words below are what a
// screen says for each reason, the server's own message otherwise.
import { CombinedGraphQLErrors } from "@apollo/client/errors";

const REASONS: Record<string, string> = {
  // Accounts
  INVALID_CREDENTIALS: "Wrong e-mail or password.",
  EMAIL_TAKEN: "An account with this e-mail already exists: log in instead.",
  // Enrollment
  COURSE_FULL: "The course and its waitlist are full.",
  ALREADY_ENROLLED: "You are already enrolled or waitlisted in this course.",
  NOT_ENROLLED: "You are not enrolled in this course.",
  SEX_RESTRICTED: "This course is restricted to students of another sex.",
  PROFILE_INCOMPLETE: "Your profile lacks the sex this course is restricted by.",
  UNIT_LIMIT: "This course would take you over your unit limit.",
  TIME_CONFLICT: "This course meets at the same time as one of your courses.",
  EXAM_CONFLICT: "This course's exam overlaps one of your exams.",
  NOT_ENROLLMENT_TIME: "Enrollment is not open for you at this time.",
  NO_CHANGES_LEFT: "You have no course changes left.",
  COURSE_ARCHIVED: "This course is archived.",
  // Office hours
  ALREADY_IN_QUEUE: "You are already in this course's line.",
  QUEUE_FULL: "The line is full; try again later.",
  COOLDOWN: "You were helped recently; you may join again after the cooldown.",
  OFFICE_HOURS_CLOSED: "Go on duty before calling students.",
  INVITE_PENDING: "You already have an invite waiting for an answer.",
  MEETING_IN_PROGRESS: "A meeting is in progress.",
  INVITE_EXPIRED: "The invite has expired.",
  NOT_INVITED: "There is no invite to accept.",
  NOT_IN_QUEUE: "You are not in this course's line.",
  // Quizzes
  QUIZ_NOT_OPEN: "The quiz is not open yet.",
  QUIZ_CLOSED: "The quiz is closed.",
  NOT_JOINED: "Join the quiz first.",
  ALREADY_ANSWERED: "You already answered this question.",
  QUESTION_CLOSED: "Time is up for this question.",
  NO_MORE_QUESTIONS: "Every question of this quiz has been started.",
  // Attendance
  LESSON_LOCKED: "This register can no longer be changed.",
  NOT_GROUP_TEACHER: "You do not teach this class.",
};

const CODES: Record<string, string> = {
  UNAUTHENTICATED: "Please log in again.",
  FORBIDDEN: "You may not do that.",
  RATE_LIMITED: "Too many attempts; wait a moment and try again.",
};

export function describeError(e: unknown): string {
  if (CombinedGraphQLErrors.is(e)) {
    const first = e.errors[0];
    const ext = (first?.extensions ?? {}) as { code?: string; reason?: string };
    if (ext.reason && REASONS[ext.reason]) return REASONS[ext.reason];
    return first?.message || (ext.code && CODES[ext.code]) || "The server refused this.";
  }
  if (e instanceof Error) return e.message.includes("fetch") ? "The server cannot be reached." : e.message;
  return "Something went wrong.";
}
