// The soak's domain clients, part one: what a driver is given (Ctx) and how it picks, then the
// accounts, enrollment and office-hours drivers (quizzes and attendance: quizAttendanceDrivers.ts).
import {
  AcceptInviteDocument,
  CallNextDocument,
  CourseDocument,
  DisenrollDocument,
  EndMeetingDocument,
  EnrollDocument,
  JoinQueueDocument,
  LogInDocument,
  MeDocument,
  MyEnrollmentsDocument,
  OfficeHoursQueueDocument,
  SignUpDocument,
} from "../../../operations/generated";
import { uniqueEmail, type TestUser } from "../../../test/support/factories";
import type { Api, Recorder, Sockets } from "./clients";
import { MAX_COURSES_PER_STUDENT, OH_MAX_WAITING, PASSWORD, type SoakOptions } from "./options";

export interface Ctx {
  api: Api;
  sockets: Sockets;
  rec: Recorder;
  random: () => number;
  opts: SoakOptions;
}

export const pick = <T>(ctx: Ctx, items: readonly T[]): T => items[Math.floor(ctx.random() * items.length)];

/** A random item that passes `ok`, trying a few random picks and then a scan from a random start. */
export function pickWhere<T>(ctx: Ctx, items: readonly T[], ok: (t: T) => boolean): T | undefined {
  for (let i = 0; i < 4; i++) {
    const t = pick(ctx, items);
    if (ok(t)) return t;
  }
  const start = Math.floor(ctx.random() * items.length);
  for (let i = 0; i < items.length; i++) {
    const t = items[(start + i) % items.length];
    if (ok(t)) return t;
  }
  return undefined;
}

export interface Driver {
  step(): Promise<unknown>;
}

export class AccountsDriver implements Driver {
  constructor(
    private readonly ctx: Ctx,
    readonly accounts: TestUser[],
  ) {}

  step() {
    const { api } = this.ctx;
    const r = this.ctx.random();
    if (r < 0.05) {
      const email = uniqueEmail("soak");
      return api
        .call("signUp", SignUpDocument, { input: { email, password: PASSWORD, name: "Soak Student", role: "STUDENT", sex: r < 0.025 ? "FEMALE" : "MALE" } })
        .then((o) => {
          if (o.data) this.accounts.push({ id: o.data.signUp.user.id, email, password: PASSWORD, token: o.data.signUp.token, role: "STUDENT" });
        });
    }
    const user = pick(this.ctx, this.accounts);
    if (r < 0.25) return api.call("logIn", LogInDocument, { email: user.email, password: user.password });
    return api.call("me", MeDocument, {}, user.token);
  }
}

export interface EnrollStudent {
  user: TestUser;
  courses: Set<string>;
  busy: boolean;
}

export class EnrollmentDriver implements Driver {
  constructor(
    private readonly ctx: Ctx,
    private readonly students: EnrollStudent[],
    private readonly courses: string[],
  ) {}

  async step() {
    const { api } = this.ctx;
    const s = this.ctx.random() < 0.15 ? undefined : pickWhere(this.ctx, this.students, (x) => !x.busy);
    if (!s) {
      const reader = pick(this.ctx, this.students).user;
      if (this.ctx.random() < 0.5) return api.call("myEnrollments", MyEnrollmentsDocument, {}, reader.token);
      return api.call("course", CourseDocument, { id: pick(this.ctx, this.courses) }, reader.token);
    }
    s.busy = true;
    try {
      const enroll = s.courses.size === 0 || (s.courses.size < MAX_COURSES_PER_STUDENT && this.ctx.random() < 0.5);
      if (enroll) {
        const courseId = pickWhere(this.ctx, this.courses, (c) => !s.courses.has(c))!;
        const o = await api.call("enroll", EnrollDocument, { courseId }, s.user.token, ["COURSE_FULL"]);
        if (o.data) s.courses.add(courseId);
      } else {
        const courseId = pick(this.ctx, [...s.courses]);
        const o = await api.call("disenroll", DisenrollDocument, { courseId }, s.user.token);
        if (o.data || o.reason === "NOT_ENROLLED") s.courses.delete(courseId);
      }
    } finally {
      s.busy = false;
    }
  }
}

export interface OhStudent {
  user: TestUser;
  state: "FREE" | "WAITING" | "INVITED" | "MEETING";
  busy: boolean;
}
export interface OhStaff {
  user: TestUser;
  course: OhCourse;
  state: "AVAILABLE" | "INVITED" | "MEETING";
  entryId?: string;
  student?: OhStudent;
  since: number;
  busy: boolean;
}
export interface OhCourse {
  id: string;
  staff: OhStaff[];
  students: OhStudent[];
  /** Students waiting as far as this client knows, less the calls under way. */
  waiting: number;
}

export class OfficeHoursDriver implements Driver {
  private readonly staff: OhStaff[];
  callNextEmpty = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly courses: OhCourse[],
  ) {
    this.staff = courses.flatMap((c) => c.staff);
  }

  /** The next thing a client would do: end a meeting that has run its time, accept an invite, call, join; else read the line. */
  async step() {
    const { api, opts } = this.ctx;
    const now = performance.now();
    const ending = pickWhere(this.ctx, this.staff, (s) => !s.busy && s.state === "MEETING" && now - s.since >= opts.meetingMs);
    if (ending) {
      ending.busy = true;
      const o = await api.call("endMeeting", EndMeetingDocument, { entryId: ending.entryId! }, ending.user.token);
      // Busy or unreachable: the meeting goes on, and is ended at a later step.
      if (o.data || !retryable(o.code)) {
        ending.student!.state = "FREE";
        ending.state = "AVAILABLE";
        ending.student = ending.entryId = undefined;
      }
      ending.busy = false;
      return;
    }
    const accepting = pickWhere(this.ctx, this.staff, (s) => !s.busy && s.state === "INVITED");
    if (accepting) {
      accepting.busy = true;
      const student = accepting.student!;
      student.busy = true;
      const o = await api.call("acceptInvite", AcceptInviteDocument, { entryId: accepting.entryId! }, student.user.token);
      if (o.data) {
        student.state = accepting.state = "MEETING";
        accepting.since = performance.now();
      } else if (!retryable(o.code)) {
        student.state = "FREE";
        accepting.state = "AVAILABLE";
        accepting.student = accepting.entryId = undefined;
      }
      student.busy = accepting.busy = false;
      return;
    }
    const calling = pickWhere(this.ctx, this.staff, (s) => !s.busy && s.state === "AVAILABLE" && s.course.waiting > 0);
    if (calling) {
      calling.busy = true;
      const course = calling.course;
      course.waiting--; // reserved, so two staff of one course never call for the last student
      const o = await api.call("callNext", CallNextDocument, { courseId: course.id }, calling.user.token);
      const entry = o.data?.callNext;
      const student = entry ? course.students.find((s) => s.user.id === entry.student?.id) : undefined;
      if (entry && student) {
        calling.state = "INVITED";
        calling.entryId = entry.id;
        calling.student = student;
        student.state = "INVITED";
      } else {
        course.waiting++;
        if (o.data) this.callNextEmpty++;
      }
      calling.busy = false;
      return;
    }
    const course = pickWhere(this.ctx, this.courses, (c) => c.waiting < OH_MAX_WAITING && c.students.some((s) => !s.busy && s.state === "FREE"));
    const joiner = course && pickWhere(this.ctx, course.students, (s) => !s.busy && s.state === "FREE");
    if (course && joiner) {
      joiner.busy = true;
      const o = await api.call("joinQueue", JoinQueueDocument, { courseId: course.id, question: "Why does my proof of lemma 3 fail?" }, joiner.user.token);
      if (o.data) {
        joiner.state = "WAITING";
        course.waiting++;
      }
      joiner.busy = false;
      return;
    }
    const c = pick(this.ctx, this.courses);
    const reader = this.ctx.random() < 0.5 ? pick(this.ctx, c.students).user : pick(this.ctx, c.staff).user;
    return api.call("officeHoursQueue", OfficeHoursQueueDocument, { courseId: c.id }, reader.token);
  }
}

/** The answers a client tries again (the invite still runs for INVITE_TTL_SECONDS). */
const retryable = (code: string | undefined) => code === "SERVICE_UNAVAILABLE" || code === "TRANSPORT";
