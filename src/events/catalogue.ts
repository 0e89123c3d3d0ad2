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

/** One entry of an office-hours line as events carry it (times as ISO-8601 strings). */
export interface QueueEntryState {
  entryId: string;
  courseId: string;
  studentId: string;
  question: string;
  status: "WAITING" | "INVITED" | "IN_MEETING" | "DONE" | "EXPIRED" | "WITHDRAWN" | "REMOVED";
  joinedAt: string;
  waitingSince: string;
  staffId: string | null;
  meetingLink: string | null;
  invitedAt: string | null;
  inviteExpiresAt: string | null;
  meetingStartedAt: string | null;
  endedAt: string | null;
  requeued: boolean;
  invites: number;
  history: { status: string; at: string; actorId: string | null; note: string | null }[];
}

/**
 * A course's office-hours line right after a change, with everything its live views need (line,
 * staff on duty, policy, recent meeting lengths for estimates), so subscribers never read the database.
 */
export interface QueueState {
  courseId: string;
  version: number;
  /** When the change that made this version happened. */
  changedAt: string;
  onDuty: { staffId: string; since: string; meetingLink: string }[];
  policy: { expiredInvite: "DROP" | "REQUEUE_ONCE"; maxQueueLength: number | null; cooldownMinutes: number; maxWaitSeconds: number | null };
  /** Active entries (WAITING, INVITED, IN_MEETING) in line order. */
  entries: QueueEntryState[];
  recentMeetingSeconds: number[];
}

/** A transition of one entry, with the line as it stands after it. */
export interface QueueChange {
  courseId: string;
  entry: QueueEntryState;
  queue: QueueState;
}

/** The top of a quiz's leaderboard, read at one instant (`version` counts its changes). */
export interface LeaderboardSnapshot {
  quizId: string;
  version: number;
  closed: boolean;
  playerCount: number;
  /** Server time of the read, ms since the epoch. */
  asOf: number;
  entries: { userId: string; name: string; score: number; rank: number }[];
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

/** What an account may do, as it stands after an ADMIN's change (AccountChanged). */
export interface AccountChange {
  userId: string;
  role: Role;
  locked: boolean;
}

export interface EventCatalogue {
  UserSignedUp: { userId: string; email: string; name: string; role: Role };
  /** An ADMIN locked, unlocked or changed the role of an account: its state right after the change. */
  AccountChanged: AccountChange;

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

  QueueJoined: QueueChange;
  QueueLeft: QueueChange & { declinedInvite: boolean };
  StudentInvited: QueueChange;
  InviteAccepted: QueueChange;
  InviteExpired: QueueChange & { requeued: boolean };
  MeetingEnded: QueueChange;
  RemovedFromQueue: QueueChange;
  QueueWaitExpired: QueueChange;
  OfficeHoursOpened: { courseId: string; staffId: string; queue: QueueState };
  OfficeHoursClosed: { courseId: string; staffId: string; queue: QueueState };
  OfficeHoursPolicySet: { courseId: string; queue: QueueState };
  /** The line was rebuilt from its entries (after an instance died between an entry's write and the line's). */
  OfficeHoursLineRepaired: { courseId: string; queue: QueueState };
  OfficeHoursScheduled: { courseId: string; windowId: string; hostId: string; startsAt: string; endsAt: string };
  OfficeHoursWindowCancelled: { courseId: string; windowId: string };

  QuizCreated: { quizId: string; courseId: string; title: string; mode: "LIVE" | "SELF_PACED" };
  QuizPlayerJoined: { quizId: string; userId: string };
  /** What players may see of a question: no correct option. */
  QuestionStarted: {
    quizId: string;
    questionId: string;
    index: number;
    questionCount: number;
    text: string;
    options: string[];
    points: number;
    timeLimitSeconds: number;
    startedAt: string;
    closesAt: string;
  };
  AnswerAccepted: { quizId: string; questionId: string; userId: string; correct: boolean; pointsAwarded: number; totalScore: number };
  /** Throttled: at most one per LEADERBOARD_THROTTLE_MS per quiz, across instances. */
  LeaderboardUpdated: LeaderboardSnapshot;
  QuizClosed: { quizId: string; closedAt: string; standings: LeaderboardSnapshot };

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

/** The actor of an event caused by a signed-in user. */
export const actorOf = (user: { id: string; role: Role }): EventActor => ({ userId: user.id, role: user.role });

/** One event of the catalogue: its name decides its payload. */
export interface EventOf<N extends EventName> {
  id: string;
  name: N;
  /** ISO-8601; events travel as JSON through Redis. */
  time: string;
  /** null for the system itself (jobs, bootstrap, automatic promotions). */
  actor: EventActor | null;
  payload: EventCatalogue[N];
}

/**
 * Any event of `N` (every event by default), as a union keyed by name: testing `name` (`switch`,
 * `===`) narrows `payload` to that event's.
 */
export type DomainEvent<N extends EventName = EventName> = { [K in N]: EventOf<K> }[N];

/** The audit feed topic: every event is published here as well as on its own topics. */
export const ALL_EVENTS_TOPIC = "events";

/** Per-entity topics, named in one place so publishers and subscriptions agree. */
export const topics = {
  /** Changes to the course catalogue, which every instance keeps in memory. */
  catalogue: "catalogue",
  courseSeats: (courseId: string) => `course-seats:${courseId}`,
  course: (courseId: string) => `course:${courseId}`,
  studentEnrollments: (studentId: string) => `my-enrollments:${studentId}`,
  /** Every change of a course's office hours: its line, its staff on duty, its policy. */
  officeHours: (courseId: string) => `office-hours:${courseId}`,
  quizLeaderboard: (quizId: string) => `quiz-leaderboard:${quizId}`,
  quizQuestions: (quizId: string) => `quiz-questions:${quizId}`,
  /** Registers of one school, for live dashboards. */
  attendance: (schoolId: string) => `attendance:${schoolId}`,
  /** Who teaches where: instances drop their cached school-staff answers on these. */
  attendanceStaff: "attendance-staff",
  /** Students leaving a course (dropped, or switched away): their open quizzes stop taking their answers. */
  courseDepartures: "course-departures",
  /** Account changes (lock, unlock, role): every instance updates its account cache and closes sockets. */
  accounts: "accounts",
  /** One account's changes, for what serves that account only (its live feeds). */
  account: (userId: string) => `account:${userId}`,
  /** Events that can take a right away (src/events/access.ts): every instance checks its live feeds again. */
  access: "access",
};

const seatTopics = (seats: SeatsSnapshot[]) => seats.map((s) => topics.courseSeats(s.courseId));
const officeHours = (p: { courseId: string }) => [topics.officeHours(p.courseId)];
const change = (p: EnrollmentChange) => [...seatTopics(p.seats), topics.studentEnrollments(p.studentId)];

/** Extra per-entity topics an event is delivered on (the topics that domain subscriptions listen to). */
export const eventTopics: { [N in EventName]: (payload: EventCatalogue[N]) => string[] } = {
  UserSignedUp: () => [],
  AccountChanged: (p) => [topics.accounts, topics.account(p.userId)],
  CourseCreated: (p) => [topics.catalogue, topics.course(p.courseId)],
  CourseUpdated: (p) => [topics.catalogue, topics.course(p.courseId)],
  CourseArchived: (p) => [topics.catalogue, topics.course(p.courseId)],
  InstructorAssigned: (p) => [topics.catalogue, topics.course(p.courseId)],
  InstructorRemoved: (p) => [topics.catalogue, topics.course(p.courseId)],
  CourseCapacityChanged: (p) => [topics.catalogue, topics.course(p.courseId), ...seatTopics(p.seats)],
  StudentEnrolled: change,
  StudentWaitlisted: change,
  StudentDisenrolled: (p) => [...change(p), topics.courseDepartures],
  StudentPromoted: change,
  CourseSwitched: (p) => [...seatTopics(p.seats), topics.studentEnrollments(p.studentId), topics.courseDepartures],
  EnrollmentProfileSet: (p) => [topics.studentEnrollments(p.studentId)],
  QueueJoined: officeHours,
  QueueLeft: officeHours,
  StudentInvited: officeHours,
  InviteAccepted: officeHours,
  InviteExpired: officeHours,
  MeetingEnded: officeHours,
  RemovedFromQueue: officeHours,
  QueueWaitExpired: officeHours,
  OfficeHoursOpened: officeHours,
  OfficeHoursClosed: officeHours,
  OfficeHoursPolicySet: officeHours,
  OfficeHoursLineRepaired: officeHours,
  OfficeHoursScheduled: (p) => [topics.course(p.courseId)],
  OfficeHoursWindowCancelled: (p) => [topics.course(p.courseId)],
  QuizCreated: () => [],
  QuizPlayerJoined: () => [],
  QuestionStarted: (p) => [topics.quizQuestions(p.quizId)],
  AnswerAccepted: () => [],
  LeaderboardUpdated: (p) => [topics.quizLeaderboard(p.quizId)],
  QuizClosed: (p) => [topics.quizLeaderboard(p.quizId)],
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
