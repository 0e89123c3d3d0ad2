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
  quizLeaderboard: (quizId: string) => `quiz-leaderboard:${quizId}`,
  quizQuestions: (quizId: string) => `quiz-questions:${quizId}`,
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
  QuizCreated: () => [],
  QuizPlayerJoined: () => [],
  QuestionStarted: (p) => [topics.quizQuestions(p.quizId)],
  AnswerAccepted: () => [],
  LeaderboardUpdated: (p) => [topics.quizLeaderboard(p.quizId)],
  QuizClosed: (p) => [topics.quizLeaderboard(p.quizId)],
};

export const EVENT_NAMES = Object.keys(eventTopics) as EventName[];
