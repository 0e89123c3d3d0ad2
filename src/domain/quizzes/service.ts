// Live quizzes (SPEC 4.4): create, host (start questions, close), join, answer, and read the quiz,
// the leaderboard and a player's result. The once-only answer and its score are decided by the quiz
// engine's scripts in Redis; this service authorizes, calls them, and publishes what changed.
import { Types } from "mongoose";
import { canHostQuiz, canPlayQuiz, canViewQuiz } from "../../auth/policies";
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import { topics, type LeaderboardSnapshot } from "../../events/catalogue";
import type { CourseDoc } from "../../models/course";
import { QuizModel, QuizStandingModel, type QuizDoc, type QuizMode, type QuizStandingDoc } from "../../models/quiz";
import { UserModel } from "../../models/user";
import type { Clock } from "../../platform/clock";
import { fail, reasonErrors, type ErrorCode } from "../../platform/errors";
import { pageById, type Page } from "../../platform/pagination";
import { isObjectId } from "../../platform/ids";
import type { CoursesService } from "../courses";
import type { EnrollmentEngine } from "../enrollment/engine";
import { QuizEngine, type PlayerState, type Standings } from "./engine";
import { PUSH_SIZE, snapshotOf, type LeaderboardPublisher } from "./leaderboard";
import type { QuestionView, QuizStatus, QuizView } from "./views";
import { actorOf } from "../../events/catalogue";

export const LIMITS = {
  questions: [1, 100],
  options: [2, 6],
  points: [0, 10_000],
  timeLimitSeconds: [1, 3_600],
  text: 2_000,
} as const;

export interface QuestionInput {
  text: string;
  options: string[];
  correctOption: number;
  points?: number | null;
  timeLimitSeconds?: number | null;
}

export interface QuizInput {
  courseId: string;
  title: string;
  mode: QuizMode;
  availableFrom?: Date | null;
  closesAt?: Date | null;
  questions: QuestionInput[];
  speedBonus?: boolean | null;
  streakBonus?: boolean | null;
}

/** Which quizzes to list; every field given must match. */
export interface QuizFilter {
  courseId?: string | null;
  status?: QuizStatus | null;
  mode?: QuizMode | null;
}

export interface AnswerOutcome {
  correct: boolean;
  pointsAwarded: number;
  totalScore: number;
  rank: number;
  leaderboardVersion: number;
  answeredAt: Date;
}

export interface PlayerResult extends PlayerState {
  quizId: string;
  userId: string;
}

/** Each rule's reason, with the code and words a client gets. */
const REASONS: Record<string, [ErrorCode, string]> = {
  QUIZ_NOT_OPEN: ["CONFLICT", "The quiz is not open yet"],
  QUIZ_CLOSED: ["CONFLICT", "The quiz is closed"],
  NOT_JOINED: ["CONFLICT", "Join the quiz first"],
  ALREADY_ANSWERED: ["CONFLICT", "You already answered this question"],
  INVALID_CHOICE: ["BAD_USER_INPUT", "No such option in this question"],
  QUESTION_CLOSED: ["CONFLICT", "This question is not open for answers"],
  QUESTION_NOT_FOUND: ["NOT_FOUND", "No such question in this quiz"],
  NOT_ENROLLED: ["FORBIDDEN", "You left this quiz's course: only enrolled students answer its questions"],
  NO_MORE_QUESTIONS: ["CONFLICT", "Every question of this quiz has been started"],
};
const reasonError = reasonErrors(REASONS);

export class QuizzesService {
  constructor(
    private readonly deps: {
      quizEngine: QuizEngine;
      engine: EnrollmentEngine;
      leaderboard: LeaderboardPublisher;
      events: EventBus;
      courses: CoursesService;
      clock: Clock;
      throttleMs: number;
    },
  ) {}

  private stopDepartures?: () => Promise<void>;

  /** Follows students leaving courses (from every instance): see `leftCourse`. */
  start(): void {
    this.stopDepartures = this.deps.events.follow(topics.courseDepartures, "quiz players not told of a course they left", (event) => {
      const left = event.name === "CourseSwitched" ? event.payload.from : event.name === "StudentDisenrolled" ? event.payload : null;
      return left ? this.leftCourse(left.courseId, left.studentId) : undefined;
    });
  }

  async stop(): Promise<void> {
    await this.stopDepartures?.();
  }

  /**
   * A student left a course (dropped it, or switched away): the course's open quizzes take no more
   * answers from them (NOT_ENROLLED) unless they enroll and join again. Their score and answers stay.
   */
  async leftCourse(courseId: string, studentId: string): Promise<void> {
    const open = await QuizModel.find({ course: courseId, closedAt: null }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
    await Promise.all(open.map((q) => this.deps.quizEngine.run("qzLeft", q._id.toHexString(), [studentId])));
  }

  async create(actor: AuthUser, input: QuizInput): Promise<QuizView> {
    const course = await this.deps.courses.get(input.courseId);
    if (!canHostQuiz(actor, course)) throw fail("FORBIDDEN", "Only the course's staff or an ADMIN may create its quizzes", "NOT_COURSE_STAFF");
    const availableFrom = input.availableFrom ?? new Date(this.deps.clock());
    validateQuiz(input, availableFrom, this.deps.clock());
    const created = await QuizModel.create({
      course: course._id,
      owner: new Types.ObjectId(actor.id),
      title: input.title.trim(),
      mode: input.mode,
      availableFrom,
      closesAt: input.closesAt ?? null,
      questions: input.questions.map((q) => ({
        text: q.text,
        options: q.options,
        correctOption: q.correctOption,
        points: q.points ?? 1000,
        timeLimitSeconds: q.timeLimitSeconds ?? 20,
      })),
      speedBonus: input.speedBonus ?? true,
      streakBonus: input.streakBonus ?? true,
    });
    const quiz = created.toObject() as unknown as QuizDoc;
    await this.deps.quizEngine.load(quiz);
    await this.deps.events.publish(
      "QuizCreated",
      { quizId: quiz._id.toHexString(), courseId: input.courseId, title: quiz.title, mode: quiz.mode },
      actorOf(actor),
    );
    return { quiz, host: true, state: await this.deps.quizEngine.state(quiz._id.toHexString()) };
  }

  /** LIVE: the host opens the next question for everyone; players hear it on `questionStarted`. */
  async startQuestion(actor: AuthUser, quizId: string): Promise<QuestionView> {
    const { quiz } = await this.hosted(actor, quizId);
    if (quiz.mode !== "LIVE") throw fail("BAD_USER_INPUT", "Questions of a SELF_PACED quiz are all open in its window", "NOT_LIVE_QUIZ");
    const reply = await this.deps.quizEngine.run("qzStart", quizId);
    if (reply[0] === "ERR") throw reasonError(reply[1]);
    const [, questionId, index, startedAt, closesAt] = reply;
    const i = Number(index);
    const question = quiz.questions[i];
    const started = new Date(Number(startedAt));
    const ends = new Date(Number(closesAt));
    // The durable copy of the live state, for reloading a flushed Redis; Redis decided it already.
    await QuizModel.updateOne({ _id: quiz._id }, { $set: { currentQuestion: i, questionStartedAt: started, questionClosesAt: ends } });
    await this.deps.events.publish(
      "QuestionStarted",
      {
        quizId,
        questionId,
        index: i,
        questionCount: quiz.questions.length,
        text: question.text,
        options: question.options,
        points: question.points,
        timeLimitSeconds: question.timeLimitSeconds,
        startedAt: started.toISOString(),
        closesAt: ends.toISOString(),
      },
      actorOf(actor),
    );
    return { question, index: i, correctOption: question.correctOption, closed: false, startedAt: started, closesAt: ends };
  }

  /** Closing twice is harmless; the final leaderboard is stored by the quiz log's writer. */
  async close(actor: AuthUser | null, quizId: string): Promise<QuizView> {
    const view = actor ? await this.hosted(actor, quizId) : null;
    const reply = await this.deps.quizEngine.run("qzClose", quizId);
    if (reply[2] === "1") {
      // The quiz log's writer stores it too (with the standings); written now as well, so that
      // listing quizzes by status agrees with the quiz as soon as the close is answered.
      await QuizModel.updateOne({ _id: quizId, closedAt: null }, { $set: { closedAt: new Date(Number(reply[1])) } });
      const standings = await this.deps.quizEngine.top(quizId, PUSH_SIZE);
      await this.deps.events.publish(
        "QuizClosed",
        { quizId, closedAt: new Date(Number(reply[1])).toISOString(), standings: snapshotOf(quizId, standings) },
        actor ? actorOf(actor) : null,
      );
    }
    const quiz = view?.quiz ?? (await this.load(quizId));
    return { quiz, host: true, state: await this.deps.quizEngine.state(quizId) };
  }

  /** Quizzes whose closesAt has passed are closed (and their standings stored) by a job. */
  async closeDue(): Promise<number> {
    const due = await QuizModel.find({ closesAt: { $lte: new Date(this.deps.clock()) }, closedAt: null }).select({ _id: 1 }).lean();
    for (const q of due) await this.close(null, q._id.toHexString());
    return due.length;
  }

  /** Idempotent: joining again answers the player's current standing. */
  async join(actor: AuthUser, quizId: string): Promise<PlayerResult> {
    const quiz = await this.load(quizId);
    const status = await this.enrollmentStatus(actor.id, quiz.course.toHexString());
    if (!canPlayQuiz(actor, status)) throw fail("FORBIDDEN", "Only students enrolled in the course may join its quizzes", "NOT_ENROLLED");
    const user = await UserModel.findById(actor.id).select({ name: 1 }).lean<{ name: string }>();
    const reply = await this.deps.quizEngine.run("qzJoin", quizId, [actor.id, user?.name ?? "", this.deps.throttleMs]);
    if (reply[0] === "ERR") throw reasonError(reply[1]);
    const [, fresh, , , , due] = reply;
    if (fresh === "1") {
      await this.deps.events.publish("QuizPlayerJoined", { quizId, userId: actor.id }, actorOf(actor));
      this.deps.leaderboard.changed(quizId, Number(due), due === "0" ? QuizEngine.standings(reply, 7) : undefined);
    }
    return this.result(actor, quizId);
  }

  /** Once per question: the script checks, scores and ranks it atomically. */
  async answer(actor: AuthUser, quizId: string, questionId: string, choice: number): Promise<AnswerOutcome> {
    if (!isObjectId(quizId)) throw fail("NOT_FOUND", "Quiz not found", "QUIZ_NOT_FOUND");
    if (!isObjectId(questionId)) throw reasonError("QUESTION_NOT_FOUND");
    if (!Number.isInteger(choice) || choice < 0) throw reasonError("INVALID_CHOICE");
    const reply = await this.deps.quizEngine.run("qzAnswer", quizId, [questionId, actor.id, choice, this.deps.throttleMs]);
    if (reply[0] === "ERR") throw reasonError(reply[1]);
    const [, correct, points, total, rank, due, version, at] = reply;
    const outcome = {
      correct: correct === "1",
      pointsAwarded: Number(points),
      totalScore: Number(total),
      rank: Number(rank),
      leaderboardVersion: Number(version),
      answeredAt: new Date(Number(at)),
    };
    this.deps.leaderboard.changed(quizId, Number(due), due === "0" ? QuizEngine.standings(reply, 8) : undefined);
    await this.deps.events.publish(
      "AnswerAccepted",
      { quizId, questionId, userId: actor.id, correct: outcome.correct, pointsAwarded: outcome.pointsAwarded, totalScore: outcome.totalScore },
      actorOf(actor),
    );
    return outcome;
  }

  async get(actor: AuthUser, quizId: string): Promise<QuizView> {
    const quiz = await this.load(quizId);
    const host = await this.authorizeView(actor, quiz);
    return { quiz, host, state: await this.deps.quizEngine.state(quizId) };
  }

  /**
   * The quizzes the viewer may see (canViewQuiz: those of the courses they staff, of the courses they
   * hold a seat in, every quiz for an ADMIN), oldest first. A course the viewer may not see is
   * refused as `quiz` refuses it (NOT_ENROLLED), or, `quiet`, answers no quizzes (a field of a course
   * anyone may list). The status filter reads the stored quiz (closedAt, closesAt, availableFrom).
   */
  async list(actor: AuthUser, filter: QuizFilter, first: number, after?: string | null, opts: { quiet?: boolean } = {}): Promise<Page<QuizView>> {
    const none: Page<QuizView> = { items: [], hasNextPage: false };
    let courses: Types.ObjectId[] | null;
    if (filter.courseId) {
      const course = await this.deps.courses.get(filter.courseId);
      const status = actor.role === "STUDENT" ? await this.enrollmentStatus(actor.id, course._id.toHexString()) : null;
      if (!canViewQuiz(actor, course, status)) {
        if (opts.quiet) return none;
        throw fail("FORBIDDEN", "Only the course's staff and enrolled students see its quizzes", "NOT_ENROLLED");
      }
      courses = [course._id];
    } else {
      courses = actor.role === "ADMIN" ? null : await this.viewableCourses(actor);
      if (courses?.length === 0) return none;
    }
    const query: Record<string, unknown> = { ...(courses && { course: { $in: courses } }), ...statusQuery(filter.status, new Date(this.deps.clock())) };
    if (filter.mode) query.mode = filter.mode;
    const page = await pageById<QuizDoc>(QuizModel, query, first, after);
    const items = await Promise.all(
      page.items.map(async (quiz) => ({
        quiz,
        host: canHostQuiz(actor, await this.course(quiz)),
        state: await this.deps.quizEngine.state(quiz._id.toHexString()),
      })),
    );
    return { items, hasNextPage: page.hasNextPage };
  }

  async leaderboard(actor: AuthUser, quizId: string, first: number): Promise<LeaderboardSnapshot> {
    await this.authorizeView(actor, await this.load(quizId));
    return this.standings(quizId, first);
  }

  /** The top `first`, from Redis; for a closed quiz Redis no longer holds, the stored final standings. */
  async standings(quizId: string, first: number): Promise<LeaderboardSnapshot> {
    const live = await this.deps.quizEngine.top(quizId, first);
    if (live.closed && live.playerCount === 0) return snapshotOf(quizId, await storedStandings(quizId, first, live));
    return snapshotOf(quizId, live);
  }

  async result(actor: AuthUser, quizId: string): Promise<PlayerResult> {
    if (!isObjectId(quizId)) throw fail("NOT_FOUND", "Quiz not found", "QUIZ_NOT_FOUND");
    const player = await this.deps.quizEngine.player(quizId, actor.id);
    if (!player) throw reasonError("NOT_JOINED");
    return { ...player, quizId, userId: actor.id };
  }

  /** For subscriptions: refuses when the viewer may not see the quiz; answers its course (the scope of that right). */
  async assertCanView(actor: AuthUser, quizId: string): Promise<{ courseId: string }> {
    const quiz = await this.load(quizId);
    await this.authorizeView(actor, quiz);
    return { courseId: quiz.course.toHexString() };
  }

  async course(quiz: QuizDoc): Promise<CourseDoc> {
    return this.deps.courses.get(quiz.course.toHexString());
  }

  private async load(quizId: string): Promise<QuizDoc> {
    const quiz = isObjectId(quizId) ? await QuizModel.findById(quizId).lean<QuizDoc>() : null;
    if (!quiz) throw fail("NOT_FOUND", "Quiz not found", "QUIZ_NOT_FOUND");
    return quiz;
  }

  private async hosted(actor: AuthUser, quizId: string): Promise<{ quiz: QuizDoc }> {
    const quiz = await this.load(quizId);
    if (!canHostQuiz(actor, await this.course(quiz))) throw fail("FORBIDDEN", "Only the course's staff or an ADMIN may host this quiz", "NOT_COURSE_STAFF");
    return { quiz };
  }

  /** Whether the viewer hosts the quiz; throws FORBIDDEN when they may not see it at all. */
  private async authorizeView(actor: AuthUser, quiz: QuizDoc): Promise<boolean> {
    const course = await this.course(quiz);
    if (canHostQuiz(actor, course)) return true;
    const status = actor.role === "STUDENT" ? await this.enrollmentStatus(actor.id, course._id.toHexString()) : null;
    if (!canViewQuiz(actor, course, status)) throw fail("FORBIDDEN", "Only the course's staff and enrolled students see its quizzes", "NOT_ENROLLED");
    return false;
  }

  /** The courses whose quizzes the viewer may see, ADMIN aside: those they staff, and (a student) those they hold a seat in. */
  private async viewableCourses(actor: AuthUser): Promise<Types.ObjectId[]> {
    const ids = new Map(this.deps.courses.staffedBy(actor.id).map((c) => [c._id.toHexString(), c._id]));
    if (actor.role === "STUDENT") {
      const { records } = await this.deps.engine.records(actor.id);
      for (const r of records) if (canPlayQuiz(actor, r.status)) ids.set(r.courseId, new Types.ObjectId(r.courseId));
    }
    return [...ids.values()];
  }

  private async enrollmentStatus(studentId: string, courseId: string): Promise<string | null> {
    const record = await this.deps.engine.record(studentId, courseId);
    if (record) return record.status;
    // Not in Redis may mean not loaded yet (a flushed Redis): ask the engine to hydrate the student.
    const { records } = await this.deps.engine.records(studentId);
    return records.find((r) => r.courseId === courseId)?.status ?? null;
  }
}

/** The stored quizzes whose status (see quizStatus) is `status` at `now`. */
function statusQuery(status: QuizStatus | null | undefined, now: Date): Record<string, unknown> {
  const notClosed = { closedAt: null, $or: [{ closesAt: null }, { closesAt: { $gt: now } }] };
  switch (status) {
    case "SCHEDULED":
      return { ...notClosed, availableFrom: { $gt: now } };
    case "OPEN":
      return { ...notClosed, availableFrom: { $lte: now } };
    case "CLOSED":
      return { $or: [{ closedAt: { $ne: null } }, { closesAt: { $lte: now } }] };
    default:
      return {};
  }
}

async function storedStandings(quizId: string, first: number, live: Standings): Promise<Standings> {
  const rows = await QuizStandingModel.find({ quiz: new Types.ObjectId(quizId) }).sort({ rank: 1 }).limit(first).lean<QuizStandingDoc[]>();
  const playerCount = await QuizStandingModel.countDocuments({ quiz: new Types.ObjectId(quizId) });
  return { ...live, playerCount, entries: rows.map((r) => ({ userId: r.user.toHexString(), name: r.name, score: r.score, rank: r.rank })) };
}

function validateQuiz(input: QuizInput, availableFrom: Date, now: number): void {
  const bad = (message: string, reason: string) => fail("BAD_USER_INPUT", message, reason);
  if (!input.title.trim()) throw bad("A quiz needs a title", "INVALID_QUIZ");
  const [minQ, maxQ] = LIMITS.questions;
  if (input.questions.length < minQ || input.questions.length > maxQ) throw bad(`A quiz has ${minQ} to ${maxQ} questions`, "INVALID_QUIZ");
  if (input.closesAt && (input.closesAt <= availableFrom || input.closesAt.getTime() <= now)) {
    throw bad("closesAt must be after availableFrom and in the future", "INVALID_WINDOW");
  }
  input.questions.forEach((q, i) => {
    const where = `Question ${i + 1}`;
    if (!q.text.trim() || q.text.length > LIMITS.text) throw bad(`${where}: text is 1 to ${LIMITS.text} characters`, "INVALID_QUESTION");
    const [minO, maxO] = LIMITS.options;
    if (q.options.length < minO || q.options.length > maxO) throw bad(`${where}: ${minO} to ${maxO} options`, "INVALID_QUESTION");
    if (q.options.some((o) => !o.trim() || o.length > LIMITS.text)) throw bad(`${where}: every option needs text`, "INVALID_QUESTION");
    if (!Number.isInteger(q.correctOption) || q.correctOption < 0 || q.correctOption >= q.options.length) {
      throw bad(`${where}: correctOption is the 0-based index of one of its options`, "INVALID_CHOICE");
    }
    const [minP, maxP] = LIMITS.points;
    if (q.points != null && (!Number.isInteger(q.points) || q.points < minP || q.points > maxP)) throw bad(`${where}: points ${minP} to ${maxP}`, "INVALID_QUESTION");
    const [minT, maxT] = LIMITS.timeLimitSeconds;
    if (q.timeLimitSeconds != null && (!Number.isInteger(q.timeLimitSeconds) || q.timeLimitSeconds < minT || q.timeLimitSeconds > maxT)) {
      throw bad(`${where}: timeLimitSeconds ${minT} to ${maxT}`, "INVALID_QUESTION");
    }
  });
}
