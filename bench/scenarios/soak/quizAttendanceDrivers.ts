// The soak's domain clients, part two: the quizzes driver (LIVE quizzes one after another per course)
// and the attendance driver (registers reported then completed), with their state.
import {
  AnswerDocument,
  AttendanceStatsDocument,
  CloseQuizDocument,
  CompleteLessonBriefDocument,
  CreateQuizDocument,
  JoinQuizDocument,
  LeaderboardChangedDocument,
  LeaderboardDocument,
  MyQuizResultDocument,
  QuestionStartedDocument,
  ReportAbsenceBriefDocument,
  StartQuestionDocument,
} from "../../../operations/generated";
import type { TestUser } from "../../../test/support/factories";
import { questions } from "../../../test/support/quizzes";
import { ABSENCE_KINDS } from "../../../src/models/attendance";
import { pick, pickWhere, type Ctx, type Driver } from "./drivers";
import { PAST_DAYS, PERIODS, QUIZ_BOARD_WATCHERS, QUIZ_QUESTIONS } from "./options";

export interface QuizPlayer {
  user: TestUser;
  unsubscribe: Array<() => void>;
}
export interface QuizLine {
  courseId: string;
  host: TestUser;
  players: QuizPlayer[];
  phase: "create" | "join" | "start" | "answer" | "close";
  quizId?: string;
  question: number;
  questionId?: string;
  /** Players still to join / answer in this phase. */
  todo: QuizPlayer[];
  inFlight: number;
}

export class QuizzesDriver implements Driver {
  closedPushes = 0;
  quizzesRun = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly lines: QuizLine[],
  ) {}

  step() {
    const start = Math.floor(this.ctx.random() * this.lines.length);
    for (let i = 0; i < this.lines.length; i++) {
      const p = this.advance(this.lines[(start + i) % this.lines.length]);
      if (p) return p;
    }
    // Every line waits for answers in flight: read standings instead.
    const line = pickWhere(this.ctx, this.lines, (l) => !!l.quizId);
    if (!line) return Promise.resolve();
    // A player who has joined this quiz (their subscriptions are held from the join to the close).
    const player = this.ctx.random() < 0.5 ? pickWhere(this.ctx, line.players, (p) => p.unsubscribe.length > 0) : undefined;
    if (!player) return this.ctx.api.call("leaderboard", LeaderboardDocument, { quizId: line.quizId!, first: 10 }, line.host.token);
    return this.ctx.api.call("myQuizResult", MyQuizResultDocument, { quizId: line.quizId! }, player.user.token);
  }

  private track(line: QuizLine, p: Promise<unknown>) {
    line.inFlight++;
    return p.finally(() => line.inFlight--);
  }

  private advance(line: QuizLine): Promise<unknown> | undefined {
    const { api, sockets } = this.ctx;
    if (line.todo.length) {
      const player = line.todo.pop()!;
      if (line.phase === "join") {
        return this.track(
          line,
          api.call("joinQuiz", JoinQuizDocument, { quizId: line.quizId! }, player.user.token).then((o) => {
            if (!o.data) return;
            const watch = line.players.indexOf(player) < QUIZ_BOARD_WATCHERS;
            player.unsubscribe.push(sockets.subscribe("questionStarted", player.user, QuestionStartedDocument, { quizId: line.quizId! }));
            if (watch) {
              const off = sockets.subscribe("leaderboardChanged", player.user, LeaderboardChangedDocument, { quizId: line.quizId!, first: 10 }, (d) => {
                if (d.leaderboardChanged.closed) {
                  this.closedPushes++;
                  setImmediate(off);
                }
              });
              player.unsubscribe.push(off);
            }
          }),
        );
      }
      const choice = Math.floor(this.ctx.random() * 4);
      return this.track(line, api.call("answer", AnswerDocument, { quizId: line.quizId!, questionId: line.questionId!, choice }, player.user.token));
    }
    if (line.inFlight) return undefined;
    switch (line.phase) {
      case "create":
        return this.track(
          line,
          api
            .call("createQuiz", CreateQuizDocument, { input: { courseId: line.courseId, title: "Soak quiz", mode: "LIVE", questions: questions(QUIZ_QUESTIONS, { timeLimitSeconds: 600 }) } }, line.host.token)
            .then((o) => {
              if (!o.data) return;
              line.quizId = o.data.createQuiz.id;
              line.question = 0;
              line.phase = "join";
              line.todo = [...line.players];
            }),
        );
      case "join":
      case "start":
        return this.track(
          line,
          api.call("startQuestion", StartQuestionDocument, { quizId: line.quizId! }, line.host.token).then((o) => {
            if (!o.data) return;
            line.questionId = o.data.startQuestion.id;
            line.question++;
            line.phase = "answer";
            line.todo = [...line.players];
          }),
        );
      case "answer":
        line.phase = line.question < QUIZ_QUESTIONS ? "start" : "close";
        return this.advance(line);
      case "close":
        return this.track(
          line,
          api.call("closeQuiz", CloseQuizDocument, { quizId: line.quizId! }, line.host.token).then((o) => {
            if (!o.data) return;
            this.quizzesRun++;
            line.phase = "create";
            // The closed push arrives within a moment; whatever is still subscribed then is dropped.
            const subs = line.players.flatMap((p) => p.unsubscribe.splice(0));
            setTimeout(() => subs.forEach((off) => off()), 3000);
          }),
        );
    }
  }
}

export interface AttendanceGroup {
  id: string;
  pupils: string[];
  teacher: TestUser;
  daysAgo: number;
  period: number;
  completeNext: boolean;
  busy: boolean;
}

export class AttendanceDriver implements Driver {
  constructor(
    private readonly ctx: Ctx,
    private readonly schoolId: string,
    private readonly groups: AttendanceGroup[],
  ) {}

  async step() {
    const { api, random } = this.ctx;
    // A register just reported is completed first (the teacher's app sends both at the end of the register).
    const g = random() < 0.15 ? undefined : (pickWhere(this.ctx, this.groups, (x) => !x.busy && x.completeNext) ?? pickWhere(this.ctx, this.groups, (x) => !x.busy));
    if (!g) {
      const reader = pick(this.ctx, this.groups);
      const school = random() < 0.3;
      return api.call(
        "attendanceStats",
        AttendanceStatsDocument,
        { scope: school ? "SCHOOL" : "GROUP", id: school ? this.schoolId : reader.id, from: dateAgo(30), to: dateAgo(0) },
        reader.teacher.token,
      );
    }
    g.busy = true;
    try {
      const date = dateAgo(g.daysAgo);
      if (!g.completeNext) {
        const marked = new Set<string>();
        const n = Math.floor(random() * 4);
        while (marked.size < n) marked.add(pick(this.ctx, g.pupils));
        const absences = [...marked].map((studentId) => {
          const kind = pick(this.ctx, ABSENCE_KINDS);
          return { studentId, kind, reason: kind === "APPROVED_ACTIVITY" ? "school choir" : null };
        });
        const o = await api.call("reportAbsence", ReportAbsenceBriefDocument, { input: { groupId: g.id, date, period: g.period, absences } }, g.teacher.token);
        if (o.data) g.completeNext = true;
      } else {
        await api.call("completeLesson", CompleteLessonBriefDocument, { groupId: g.id, date, period: g.period }, g.teacher.token);
        g.completeNext = false;
        if (++g.period > PERIODS) {
          g.period = 1;
          g.daysAgo = (g.daysAgo % PAST_DAYS) + 1;
        }
      }
    } finally {
      g.busy = false;
    }
  }
}

/** A UTC calendar date `days` before today (the soak's school is in UTC). */
export function dateAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}
