// The composition of domain services: built once per process, handed to resolvers (context) and to
// the workers (src/jobs), which start and stop what runs without a request. Nothing here starts.
import type { Agenda } from "agenda";
import { AccountStates } from "./auth/accountStates";
import { PasswordHasher } from "./auth/passwords";
import type { TokenService } from "./auth/tokens";
import { AccountsService } from "./domain/accounts";
import { Catalogue } from "./domain/catalogue";
import { CourseMembers } from "./domain/courseMembers";
import { CoursesService } from "./domain/courses";
import { EnrollmentEngine } from "./domain/enrollment/engine";
import { EnrollmentNotifier } from "./domain/enrollment/notifier";
import { EnrollmentService } from "./domain/enrollment/service";
import { EntryDeadlines } from "./domain/officeHours/deadlines";
import { OfficeHoursCache } from "./domain/officeHours/lineCache";
import { OfficeHoursService } from "./domain/officeHours/service";
import { QuizEngine } from "./domain/quizzes/engine";
import { LeaderboardPublisher } from "./domain/quizzes/leaderboard";
import { QuizzesService } from "./domain/quizzes/service";
import { AttendanceAdmin } from "./domain/attendance/admin";
import { AttendanceDirectory } from "./domain/attendance/directory";
import { AttendanceEngine } from "./domain/attendance/engine";
import { AttendanceService } from "./domain/attendance/service";
import { LiveAccess } from "./events/access";
import type { EventBus } from "./events/bus";
import { systemClock, type Clock } from "./platform/clock";
import type { Config } from "./platform/config";
import { RedisDeadlines } from "./platform/deadlines";
import { Locks } from "./platform/locks";
import type { Logger } from "./platform/logger";
import { RedisLimiter } from "./platform/rateLimit";
import type { RedisHandle } from "./platform/redis";

export interface Services {
  accounts: AccountsService;
  /** Whether a token's account may still act, and with which role: consulted for every request and socket operation. */
  accountStates: AccountStates;
  /** Who staffs and who attends which course: what one user may see of another. */
  courseMembers: CourseMembers;
  events: EventBus;
  /** Live feeds' rights, checked again when an event may have withdrawn them. */
  access: LiveAccess;
  courses: CoursesService;
  catalogue: Catalogue;
  enrollment: EnrollmentService;
  engine: EnrollmentEngine;
  officeHours: OfficeHoursService;
  /** The office-hours deadlines (invite expiry, maximum wait); polled once the server runs its workers. */
  officeHoursDeadlines: EntryDeadlines;
  quizEngine: QuizEngine;
  leaderboard: LeaderboardPublisher;
  quizzes: QuizzesService;
  attendance: AttendanceService;
  attendanceAdmin: AttendanceAdmin;
  attendanceEngine: AttendanceEngine;
  attendanceDirectory: AttendanceDirectory;
}

export function createServices(deps: {
  config: Config;
  logger: Logger;
  redis: RedisHandle;
  events: EventBus;
  tokens: TokenService;
  agenda: Agenda;
  clock?: Clock;
}): Services {
  const { config, redis, events, tokens, logger, agenda } = deps;
  const clock = deps.clock ?? systemClock;
  const limiter = (name: string, points: number, windowSeconds: number) =>
    new RedisLimiter(redis.client, `${config.REDIS_PREFIX}rl:${name}`, points, windowSeconds);
  const window = config.LOGIN_LIMIT_WINDOW_SECONDS;
  const accountStates = new AccountStates(config.ACCOUNT_CACHE_MS, logger);
  const engine = new EnrollmentEngine(redis.client, config.REDIS_PREFIX, {
    maxUnits: config.DEFAULT_MAX_UNITS,
    remainingChanges: config.DEFAULT_REMAINING_CHANGES,
  });
  const notifier = new EnrollmentNotifier(events);
  const catalogue = new Catalogue(logger);
  const courses = new CoursesService({ events, engine, notifier, catalogue, clock });
  const enrollment = new EnrollmentService({ engine, events, notifier, courses, clock });
  // Quizzes: live state in Redis (scripts), leaderboard pushes throttled across instances.
  const quizEngine = new QuizEngine(redis.client, config.REDIS_PREFIX);
  const leaderboard = new LeaderboardPublisher(quizEngine, events, config.LEADERBOARD_THROTTLE_MS, logger);
  const quizzes = new QuizzesService({ quizEngine, engine, leaderboard, events, courses, clock, throttleMs: config.LEADERBOARD_THROTTLE_MS });
  const attendanceEngine = new AttendanceEngine(redis.client, config.REDIS_PREFIX, config.ATTENDANCE_CORRECTION_DAYS);
  const attendanceDirectory = new AttendanceDirectory();
  const access = new LiveAccess({
    events,
    logger,
    caches: { reloadCourse: (courseId) => catalogue.reload(courseId), forgetSchoolStaff: () => attendanceDirectory.forgetStaff() },
  });
  const officeHoursDeadlines = new EntryDeadlines(agenda, new RedisDeadlines(redis.client, `${config.REDIS_PREFIX}office-hours:deadlines`, logger), logger);
  return {
    attendanceEngine,
    attendanceDirectory,
    attendance: new AttendanceService({
      engine: attendanceEngine,
      directory: attendanceDirectory,
      events,
      clock,
      windowDays: config.ATTENDANCE_CORRECTION_DAYS,
    }),
    attendanceAdmin: new AttendanceAdmin({
      engine: attendanceEngine,
      directory: attendanceDirectory,
      events,
      clock,
      defaultTimeZone: config.ATTENDANCE_DEFAULT_TIME_ZONE,
    }),
    events,
    access,
    engine,
    courses,
    catalogue,
    enrollment,
    quizEngine,
    leaderboard,
    quizzes,
    officeHours: new OfficeHoursService({
      courses,
      enrollment,
      events,
      locks: new Locks(redis.client, config.REDIS_PREFIX, logger),
      cache: new OfficeHoursCache(redis.client, config.REDIS_PREFIX),
      timers: officeHoursDeadlines,
      clock,
      logger,
      inviteTtlSeconds: config.INVITE_TTL_SECONDS,
    }),
    officeHoursDeadlines,
    accountStates,
    courseMembers: new CourseMembers(engine),
    accounts: new AccountsService({
      hasher: new PasswordHasher(config.PASSWORD_HASH_MEMORY_KIB, config.PASSWORD_HASH_CONCURRENCY),
      tokens,
      events,
      logger,
      states: accountStates,
      limits: {
        loginPerIp: limiter("login-ip", config.LOGIN_LIMIT_PER_IP, window),
        loginPerAccountIp: limiter("login-account-ip", config.LOGIN_LIMIT_PER_ACCOUNT_IP, window),
        // A counter, never a gate: its limit is never reached.
        loginFailuresPerAccount: limiter("login-account-failures", Number.MAX_SAFE_INTEGER, window),
        signUpPerIp: limiter("signup-ip", config.SIGNUP_LIMIT_PER_IP, window),
      },
      loginDelay: { afterFailures: config.LOGIN_LIMIT_PER_ACCOUNT, maxMs: config.LOGIN_DELAY_MAX_MS },
    }),
  };
}
