// The attendance engine: registers and rollups in Redis, changed only by the Lua scripts of
// lua/ (scripts.ts); groups (teachers and roll) are cached there and loaded from MongoDB on first use.
import { RedisScript } from "../../platform/luaScript";
import type { Redis } from "ioredis";
import { Types } from "mongoose";
import type { LessonSnapshot } from "../../events/catalogue";
import { GroupModel, GroupTeacherModel, RollEntryModel, type GroupDoc } from "../../models/attendance";
import { AppError, fail, unavailableUnlessApp } from "../../platform/errors";
import { cachedLoader } from "../../platform/loader";
import { findByIds } from "../../platform/mongo";
import { singleFlight } from "../../platform/async";
import { addDays, localDate } from "./dates";
import { hasWrittenVersion, toSnapshot } from "./registerHash";
import * as scripts from "./scripts";

const COMMANDS = {
  atReport: new RedisScript(scripts.REPORT),
  atRetract: new RedisScript(scripts.RETRACT),
  atComplete: new RedisScript(scripts.COMPLETE),
  atHydrateGroup: new RedisScript(scripts.HYDRATE_GROUP),
  atInvalidateGroups: new RedisScript(scripts.INVALIDATE_GROUPS),
  atClaimWrites: new RedisScript(scripts.CLAIM_WRITES),
  atWritten: new RedisScript(scripts.WRITTEN),
  atTeacherChanged: new RedisScript(scripts.TEACHER_CHANGED),
};
type ScriptName = keyof typeof COMMANDS;

/** What never changes about a group: cached per instance without invalidation. */
export interface GroupMeta {
  id: string;
  name: string;
  schoolId: string;
  region: string;
  timeZone: string;
}

export interface RegisterCall {
  lessonId: string;
  group: GroupMeta;
  date: string;
  period: number;
  actorId: string;
  admin: boolean;
  now: number;
  expireAt: number;
}

/** A log writer's claim on a register (see CLAIM_WRITES). */
export type WriteClaim =
  | { status: "gone" | "written" | "settling" | "busy" }
  | { status: "mine"; lesson: LessonSnapshot; /** MongoDB holds an older version (replace, not insert). */ stored: boolean };

/** Daily rollup counters: registers, expected, absent, excused, late, approved activity. */
export type Counters = [number, number, number, number, number, number];

export const lessonId = (groupId: string, date: string, period: number) => `${groupId}:${date}:${period}`;

export class AttendanceEngine {
  readonly prefix: string;
  /** Group metadata by id (immutable, so a long-lived cache is exact). */
  readonly groups = cachedLoader<GroupMeta>(
    async (ids) => {
      const docs = await findByIds<GroupDoc>(GroupModel, ids);
      return new Map(docs.map((g) => [g._id.toHexString(), { id: g._id.toHexString(), name: g.name, schoolId: g.school.toHexString(), region: g.region, timeZone: g.timeZone }]));
    },
    { max: 200_000, ttlMs: 3_600_000 },
  );

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
    /** Days after a lesson's date during which its register may still change. */
    private readonly windowDays: number,
  ) {
    this.prefix = `${redisPrefix}at:`;
  }

  get logKey() {
    return `${this.prefix}log`;
  }

  async group(groupId: string): Promise<GroupMeta> {
    const g = await this.groups.load(groupId);
    if (!g) throw fail("NOT_FOUND", "Group not found", "GROUP_NOT_FOUND");
    return g;
  }

  /** Runs a register script; loads the group into Redis first when the script asks for it. */
  async register(script: "atReport" | "atRetract" | "atComplete", call: RegisterCall, extra: string[]): Promise<{ changed: boolean; lesson: LessonSnapshot }> {
    const args = [
      call.lessonId, call.group.id, call.date, call.period, call.actorId, call.now, call.admin ? "1" : "0", call.expireAt,
      call.group.schoolId, call.group.region, ...extra,
    ];
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await this.call(script, args);
      if (reply[0] === "HYDRATE") {
        await this.hydrateGroup(call.group);
        continue;
      }
      if (reply[0] === "ERR") throw registerError(reply[1], reply[2]);
      return { changed: reply[1] === "1", lesson: toSnapshot(call.lessonId, reply.slice(2))! };
    }
    throw new Error(`attendance engine: ${script} kept asking for hydration`);
  }

  /** Concurrent requests of this instance that found the same group missing share one load. */
  private readonly loading = singleFlight<void>();

  /** Loads a group's teachers and recent roll from MongoDB into Redis (unless it changed meanwhile). */
  hydrateGroup(group: GroupMeta): Promise<void> {
    return this.loading(group.id, () => this.hydrateGroups([group]));
  }

  /** Applies a teacher assignment or removal to the cached group (no MongoDB read). */
  async teacherChanged(group: GroupMeta, teacherId: string, assigned: boolean): Promise<void> {
    await this.call("atTeacherChanged", [group.id, teacherId, assigned ? "1" : "0"]);
  }

  /**
   * Loads groups into Redis with two queries for all of them. A group whose generation moved on while MongoDB was read is left alone.
   */
  async hydrateGroups(groups: GroupMeta[]): Promise<void> {
    if (!groups.length) return;
    const gens = await this.guard(() => this.redis.mget(...groups.map((g) => `${this.prefix}gg:${g.id}`)));
    const ids = groups.map((g) => new Types.ObjectId(g.id));
    const filter = ids.length === 1 ? { group: ids[0] } : { group: { $in: ids } };
    const [teachers, roll] = await Promise.all([
      GroupTeacherModel.find(filter).select({ group: 1, teacher: 1 }).lean<{ group: Types.ObjectId; teacher: Types.ObjectId }[]>(),
      RollEntryModel.find(filter).select({ group: 1, student: 1, from: 1, to: 1 }).lean<{ group: Types.ObjectId; student: Types.ObjectId; from: string; to: string | null }[]>(),
    ]);
    const fields = new Map<string, Map<string, string[]>>(groups.map((g) => [g.id, new Map()]));
    for (const t of teachers) fields.get(t.group.toHexString())?.set(`t:${t.teacher.toHexString()}`, ["1"]);
    // Periods that ended before the correction window can no longer matter: older registers are locked.
    const oldest = new Map(groups.map((g) => [g.id, addDays(localDate(g.timeZone, Date.now()), -this.windowDays - 1)]));
    for (const r of roll) {
      const groupId = r.group.toHexString();
      const mine = fields.get(groupId);
      if (!mine || (r.to !== null && r.to <= oldest.get(groupId)!)) continue;
      const key = `m:${r.student.toHexString()}`;
      const periods = mine.get(key);
      if (periods) periods.push(`${r.from}|${r.to ?? ""}`);
      else mine.set(key, [`${r.from}|${r.to ?? ""}`]);
    }
    await Promise.all(
      groups.map((g, i) => {
        const flat = [...fields.get(g.id)!].flatMap(([k, v]) => [k, v.join(";")]);
        return this.call("atHydrateGroup", [g.id, gens[i] ?? "0", ...flat]);
      }),
    );
  }

  /**
   * After a roster or teacher change: drops the cached groups everywhere (bumping their generation,
   * so a concurrent load of the old state cannot write it back), then loads them again at once, so
   * the next register (the bell) finds them in Redis.
   */
  async refreshGroups(groups: GroupMeta[]): Promise<void> {
    if (!groups.length) return;
    await this.invalidateGroups(groups);
    for (let i = 0; i < groups.length; i += 500) await this.hydrateGroups(groups.slice(i, i + 500));
  }

  /** Drops cached groups everywhere; the next register (or a refresh) loads them again. */
  async invalidateGroups(groups: GroupMeta[]): Promise<void> {
    if (groups.length) await this.call("atInvalidateGroups", groups.map((g) => g.id));
  }

  async isGroupTeacher(group: GroupMeta, userId: string): Promise<boolean> {
    const key = `${this.prefix}g:${group.id}`;
    const [cached, teachesNow] = await this.guard(() => Promise.all([this.redis.exists(key), this.redis.hexists(key, `t:${userId}`)]));
    let teaches = teachesNow;
    if (!cached) {
      await this.hydrateGroup(group);
      teaches = await this.guard(() => this.redis.hexists(key, `t:${userId}`));
    }
    return teaches === 1;
  }

  /** A register still in Redis (its date within the hot window), or null. */
  async hotLesson(id: string): Promise<LessonSnapshot | null> {
    return toSnapshot(id, Object.entries(await this.guard(() => this.redis.hgetall(`${this.prefix}l:${id}`))).flat());
  }

  async hotLessons(ids: string[]): Promise<LessonSnapshot[]> {
    if (!ids.length) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.prefix}l:${id}`);
    const rows = (await this.guard(() => pipeline.exec())) ?? [];
    return ids.flatMap((id, i) => {
      const s = toSnapshot(id, Object.entries((rows[i]?.[1] ?? {}) as Record<string, string>).flat());
      return s ? [s] : [];
    });
  }

  /**
   * A log writer claims the registers it is about to store (CLAIM_WRITES): each comes back 'mine'
   * with its snapshot and whether MongoDB holds an older version of it, or as why it is not this
   * writer's to store now. `now` judges settling (against the registers' change times, written with
   * the instances' clocks); the lease runs on Redis's clock.
   */
  async claimWrites(writer: string, now: number, leaseMs: number, settleMs: number, lessons: { id: string; force: boolean }[]): Promise<Map<string, WriteClaim>> {
    if (!lessons.length) return new Map();
    const args = [writer, now, leaseMs, settleMs, ...lessons.flatMap((l) => [l.id, l.force ? "1" : "0"])];
    const rows = (await this.call("atClaimWrites", args)) as unknown as string[][];
    return new Map(
      lessons.map((l, i): [string, WriteClaim] => {
        const [status, ...flat] = rows[i];
        if (status !== "mine") return [l.id, { status: status as Exclude<WriteClaim["status"], "mine"> }];
        return [l.id, { status: "mine", lesson: toSnapshot(l.id, flat)!, stored: hasWrittenVersion(flat) }];
      }),
    );
  }

  /** Notes what the writer stored (never lowering it, never reviving an expired register) and releases its claims. */
  async markWritten(writer: string, versions: [string, number][]): Promise<void> {
    if (!versions.length) return;
    await this.call("atWritten", [writer, ...versions.flat()]);
  }

  async openLessonIds(schoolId: string, date: string): Promise<string[]> {
    return this.guard(() => this.redis.smembers(`${this.prefix}o:${schoolId}:${date}`));
  }

  /** Daily rollups of one scope key ("G:<group>", "S:<school>", "R:<region>") for the given dates. */
  async rollups(key: string, dates: string[]): Promise<Counters[]> {
    if (!dates.length) return [];
    const raw = await this.guard(() => this.redis.hmget(`${this.prefix}ru:${key}`, ...dates));
    return raw.map((r) => unpack(r, 6) as Counters);
  }

  /** A student's marks (absent, excused, late, approved activity) per date. */
  async studentMarks(studentId: string, dates: string[]): Promise<[number, number, number, number][]> {
    if (!dates.length) return [];
    const raw = await this.guard(() => this.redis.hmget(`${this.prefix}ru:ST:${studentId}`, ...dates));
    return raw.map((r) => unpack(r, 4) as [number, number, number, number]);
  }

  /** Adds counters to rollups in one round trip (rebuilding them from stored lessons). */
  async addRollups(rows: { key: string; date: string; values: number[] }[]): Promise<void> {
    if (!rows.length) return;
    const merged = new Map<string, number[]>();
    for (const r of rows) {
      const k = `${r.key}\u0000${r.date}`;
      const cur = merged.get(k);
      merged.set(k, cur ? cur.map((v, i) => v + r.values[i]) : [...r.values]);
    }
    const keys = [...merged.keys()];
    const current = await this.guard(() => {
      const p = this.redis.pipeline();
      for (const k of keys) {
        const [key, date] = k.split("\u0000");
        p.hget(`${this.prefix}ru:${key}`, date);
      }
      return p.exec();
    });
    const write = this.redis.pipeline();
    keys.forEach((k, i) => {
      const [key, date] = k.split("\u0000");
      const add = merged.get(k)!;
      const before = unpack((current?.[i]?.[1] as string | null) ?? null, add.length);
      write.hset(`${this.prefix}ru:${key}`, date, before.map((v, j) => v + add[j]).join(","));
    });
    await this.guard(() => write.exec());
  }

  private call(name: ScriptName, args: (string | number)[]): Promise<string[]> {
    return this.guard(() => COMMANDS[name].run<string[]>(this.redis, this.prefix, ...args));
  }

  private guard<T>(op: () => Promise<T>): Promise<T> {
    return unavailableUnlessApp("Attendance", op);
  }
}

function registerError(reason: string, subject?: string): AppError {
  switch (reason) {
    case "NOT_GROUP_TEACHER":
      return fail("FORBIDDEN", "Only this group's teachers take its register", reason);
    case "STUDENT_NOT_IN_GROUP":
      return fail("BAD_USER_INPUT", `Student ${subject} is not on this group's roll on that date`, reason, { studentId: subject });
    case "LESSON_NOT_FOUND":
      return fail("NOT_FOUND", "No register has been taken for this lesson", reason);
    default:
      return fail("CONFLICT", reason, reason);
  }
}

function unpack(raw: string | null, size: number): number[] {
  const out = new Array<number>(size).fill(0);
  if (raw) raw.split(",").forEach((v, i) => (out[i] = Number(v)));
  return out;
}
