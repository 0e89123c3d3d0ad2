// The quiz engine: live quiz state in Redis, changed only by the Lua scripts of lua/ (scripts.ts), loaded
// from MongoDB when Redis does not hold a quiz (a restart with a flushed Redis, or a quiz created
// before the load finished).
import { RedisScript } from "../../platform/luaScript";
import type { Redis } from "ioredis";
import { QuizModel, type QuizDoc } from "../../models/quiz";
import { fail, unavailableUnlessApp } from "../../platform/errors";
import * as scripts from "./scripts";

const COMMANDS = {
  qzLoad: new RedisScript(scripts.LOAD),
  qzJoin: new RedisScript(scripts.JOIN),
  qzAnswer: new RedisScript(scripts.ANSWER),
  qzLeft: new RedisScript(scripts.LEFT_COURSE),
  qzStart: new RedisScript(scripts.START_QUESTION),
  qzClose: new RedisScript(scripts.CLOSE),
  qzTrail: new RedisScript(scripts.TRAIL),
  qzTop: new RedisScript(scripts.TOP),
  qzPlayer: new RedisScript(scripts.PLAYER),
  qzState: new RedisScript(scripts.STATE),
};
type ScriptName = keyof typeof COMMANDS;

export interface LiveState {
  closed: boolean;
  /** LIVE: index of the question started last (-1 before the first). */
  current: number;
  questionStartedAt: number | null;
  questionClosesAt: number | null;
  closedAt: number | null;
  /** Redis server time when the state was read. */
  now: number;
}

export interface TopEntry {
  userId: string;
  name: string;
  score: number;
  rank: number;
}

export interface Standings {
  version: number;
  playerCount: number;
  closed: boolean;
  /** Redis server time of the read (ms). */
  asOf: number;
  entries: TopEntry[];
}

export interface PlayerState {
  joinedAt: number;
  score: number;
  rank: number;
  playerCount: number;
  answers: { questionId: string; choice: number; pointsAwarded: number; correct: boolean }[];
}

export class QuizEngine {
  readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
  ) {
    this.prefix = `${redisPrefix}qz:`;
  }

  get logKey() {
    return `${this.prefix}log`;
  }

  /** Runs a script; when the quiz is not in Redis, loads it from MongoDB and runs it again. */
  async run(name: ScriptName, quizId: string, args: (string | number)[] = []): Promise<string[]> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = await this.call(name, [quizId, ...args]);
      if (reply[0] !== "HYDRATE") return reply;
      const quiz = await QuizModel.findById(quizId).lean<QuizDoc>();
      if (!quiz) throw fail("NOT_FOUND", "Quiz not found", "QUIZ_NOT_FOUND");
      await this.load(quiz);
    }
    throw new Error(`quiz engine: ${name} kept asking for the quiz to be loaded`);
  }

  /** Puts a quiz's definition (and the state MongoDB knows of) into Redis unless it is there. */
  async load(quiz: QuizDoc): Promise<void> {
    const fields: [string, string | number][] = [
      ["mode", quiz.mode === "LIVE" ? "L" : "S"],
      ["from", quiz.availableFrom.getTime()],
      ["to", quiz.closesAt ? quiz.closesAt.getTime() : ""],
      ["st", quiz.closedAt ? "C" : "O"],
      ["closedAt", quiz.closedAt ? quiz.closedAt.getTime() : ""],
      ["speed", quiz.speedBonus ? "1" : "0"],
      ["streak", quiz.streakBonus ? "1" : "0"],
      ["n", quiz.questions.length],
      ["cur", quiz.currentQuestion ?? -1],
      ["qs", quiz.questionStartedAt ? quiz.questionStartedAt.getTime() : ""],
      ["qe", quiz.questionClosesAt ? quiz.questionClosesAt.getTime() : ""],
      ["seq", 0],
      ["v", 0],
      ...quiz.questions.flatMap((q, i): [string, string | number][] => [
        [`q:${q._id.toHexString()}`, `${i}|${q.options.length}|${q.correctOption}|${q.points}|${q.timeLimitSeconds * 1000}`],
        [`i:${i}`, q._id.toHexString()],
      ]),
    ];
    await this.call("qzLoad", [quiz._id.toHexString(), fields.length, ...fields.flat()]);
  }

  async state(quizId: string): Promise<LiveState> {
    const [st, cur, qs, qe, closedAt, now] = await this.run("qzState", quizId);
    const num = (v: string) => (v === "" ? null : Number(v));
    return { closed: st === "C", current: Number(cur), questionStartedAt: num(qs), questionClosesAt: num(qe), closedAt: num(closedAt), now: Number(now) };
  }

  async top(quizId: string, n: number): Promise<Standings> {
    return QuizEngine.standings(await this.run("qzTop", quizId, [n]), 0);
  }

  /** Standings a script appended to its reply from position `from` (see `standings` in lua/lib.lua). */
  static standings(r: string[], from: number): Standings {
    const entries: TopEntry[] = [];
    for (let i = from + 4; i < r.length; i += 3) entries.push({ userId: r[i], score: Number(r[i + 1]), name: r[i + 2], rank: entries.length + 1 });
    return { version: Number(r[from]), playerCount: Number(r[from + 1]), asOf: Number(r[from + 2]), closed: r[from + 3] === "C", entries };
  }

  async player(quizId: string, userId: string): Promise<PlayerState | null> {
    const r = await this.run("qzPlayer", quizId, [userId]);
    if (!r.length) return null;
    const answers: PlayerState["answers"] = [];
    for (let i = 4; i < r.length; i += 2) {
      const [choice, points, correct] = r[i + 1].split("|");
      answers.push({ questionId: r[i], choice: Number(choice), pointsAwarded: Number(points), correct: correct === "1" });
    }
    return { joinedAt: Number(r[0]), score: Number(r[1]), rank: Number(r[2]), playerCount: Number(r[3]), answers };
  }

  private call(name: ScriptName, args: (string | number)[]): Promise<string[]> {
    return this.guard(() => COMMANDS[name].run<string[]>(this.redis, this.prefix, ...args));
  }

  private guard<T>(op: () => Promise<T>): Promise<T> {
    return unavailableUnlessApp("Quizzes are", op);
  }
}
