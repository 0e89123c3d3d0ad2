// The catalogue of domain events: every state change in the product is one of these.
// Adding an event = adding a payload type here and the topics it is delivered on.
import type { Role } from "../models/user";

/** Seat counts of a course right after the change, so live dashboards need no extra read. */
export interface SeatsSnapshot {
  courseId: string;
  capacity: number;
  enrolled: number;
  waitlisted: number;
}

export interface EnrollmentChange {
  enrollmentId: string;
  courseId: string;
  studentId: string;
  status: "ENROLLED" | "WAITLISTED" | "DROPPED";
  /** Waitlist position at the time of the change (0 when not waiting). */
  position: number;
  pricePaid: number;
  seats: SeatsSnapshot[];
}

/** A register as it is right after a change (times in epoch ms), so dashboards need no extra read. */
export interface LessonSnapshot {
  id: string;
  groupId: string;
  schoolId: string;
  region: string;
  date: string;
  period: number;
  status: "OPEN" | "COMPLETED";
  absences: { studentId: string; kind: "UNEXCUSED" | "EXCUSED" | "LATE" | "APPROVED_ACTIVITY"; reason: string | null; reportedAt: number; reportedBy: string }[];
  /** Counts, once COMPLETED (null while OPEN). */
  roster: number | null;
  absent: number | null;
  excused: number | null;
  late: number | null;
  approvedActivity: number | null;
  takenAt: number;
  takenBy: string;
  completedAt: number | null;
  completedBy: string | null;
  changedAt: number;
  changedBy: string;
  version: number;
}

export interface EventCatalogue {
  UserSignedUp: { userId: string; email: string; name: string; role: Role };

  CourseCreated: { courseId: string; code: string; ownerId: string };
  CourseUpdated: { courseId: string; fields: string[] };
  CourseArchived: { courseId: string };
  InstructorAssigned: { courseId: string; instructorId: string };
  InstructorRemoved: { courseId: string; instructorId: string };
  CourseCapacityChanged: { courseId: string; capacity: number; reserveCapacity: number; seats: SeatsSnapshot[] };

  StudentEnrolled: EnrollmentChange & { forced: boolean };
  StudentWaitlisted: EnrollmentChange;
  StudentDisenrolled: EnrollmentChange & { forced: boolean; previousStatus: "ENROLLED" | "WAITLISTED" };
  StudentPromoted: EnrollmentChange;
  CourseSwitched: { studentId: string; from: EnrollmentChange; to: EnrollmentChange; seats: SeatsSnapshot[] };
  EnrollmentProfileSet: { studentId: string; maxUnits: number; enrollmentStartsAt: string | null; remainingChanges: number };

  SchoolCreated: { schoolId: string; name: string; region: string; timeZone: string };
  GroupCreated: { groupId: string; schoolId: string; name: string };
  GroupTeacherAssigned: { groupId: string; schoolId: string; teacherId: string };
  GroupTeacherRemoved: { groupId: string; schoolId: string; teacherId: string };
  RosterChanged: { schoolIds: string[]; groupIds: string[]; added: number; removed: number; effectiveFrom: string };
  AbsenceReported: { lesson: LessonSnapshot; students: string[] };
  AbsenceRetracted: { lesson: LessonSnapshot; students: string[] };
  LessonCompleted: { lesson: LessonSnapshot };
}

export type EventName = keyof EventCatalogue;

export interface EventActor {
  userId: string;
  role: Role;
}

export interface DomainEvent<N extends EventName = EventName> {
  id: string;
  name: N;
  /** ISO-8601; events travel as JSON through Redis. */
  time: string;
  /** null for the system itself (jobs, bootstrap, automatic promotions). */
  actor: EventActor | null;
  payload: EventCatalogue[N];
}

/** The audit feed topic: every event is published here as well as on its own topics. */
export const ALL_EVENTS_TOPIC = "events";

/** Per-entity topics, named in one place so publishers and subscriptions agree. */
export const topics = {
  /** Changes to the course catalogue, which every instance keeps in memory. */
  catalogue: "catalogue",
  courseSeats: (courseId: string) => `course-seats:${courseId}`,
  course: (courseId: string) => `course:${courseId}`,
  studentEnrollments: (studentId: string) => `my-enrollments:${studentId}`,
  /** Registers of one school, for live dashboards. */
  attendance: (schoolId: string) => `attendance:${schoolId}`,
  /** Who teaches where: instances drop their cached school-staff answers on these. */
  attendanceStaff: "attendance-staff",
};

const seatTopics = (seats: SeatsSnapshot[]) => seats.map((s) => topics.courseSeats(s.courseId));
const change = (p: EnrollmentChange) => [...seatTopics(p.seats), topics.studentEnrollments(p.studentId)];

/** Extra per-entity topics an event is delivered on (the topics that domain subscriptions listen to). */
export const eventTopics: { [N in EventName]: (payload: EventCatalogue[N]) => string[] } = {
  UserSignedUp: () => [],
  CourseCreated: (p) => [topics.catalogue, topics.course(p.courseId)],
  CourseUpdated: (p) => [topics.catalogue, topics.course(p.courseId)],
  CourseArchived: (p) => [topics.catalogue, topics.course(p.courseId)],
  InstructorAssigned: (p) => [topics.catalogue, topics.course(p.courseId)],
  InstructorRemoved: (p) => [topics.catalogue, topics.course(p.courseId)],
  CourseCapacityChanged: (p) => [topics.catalogue, topics.course(p.courseId), ...seatTopics(p.seats)],
  StudentEnrolled: change,
  StudentWaitlisted: change,
  StudentDisenrolled: change,
  StudentPromoted: change,
  CourseSwitched: (p) => [...seatTopics(p.seats), topics.studentEnrollments(p.studentId)],
  EnrollmentProfileSet: (p) => [topics.studentEnrollments(p.studentId)],
  SchoolCreated: () => [],
  GroupCreated: () => [],
  GroupTeacherAssigned: () => [topics.attendanceStaff],
  GroupTeacherRemoved: () => [topics.attendanceStaff],
  RosterChanged: () => [],
  AbsenceReported: (p) => [topics.attendance(p.lesson.schoolId)],
  AbsenceRetracted: (p) => [topics.attendance(p.lesson.schoolId)],
  LessonCompleted: (p) => [topics.attendance(p.lesson.schoolId)],
};

export const EVENT_NAMES = Object.keys(eventTopics) as EventName[];
