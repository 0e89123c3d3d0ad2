// Attendance administration (ADMIN): schools, groups, teachers, and rosters in bulk. Roster rows for
// existing students name their STUDENT account; rows with only a name create a roster-only STUDENT
// account in bulk (no password: it cannot sign in until one is set, and no argon2 hash is computed per
// student, so a call of ten thousand rows takes seconds). Who is on a roll is kept as periods
// (from, to) of school dates, so statistics of past days stay right after a roster changes.
import { Types } from "mongoose";
import type { AuthUser } from "../../auth/tokens";
import type { EventBus } from "../../events/bus";
import { GroupModel, GroupTeacherModel, RollEntryModel, SchoolModel, type GroupDoc, type SchoolDoc } from "../../models/attendance";
import { UserModel } from "../../models/user";
import type { Clock } from "../../platform/clock";
import { fail } from "../../platform/errors";
import { insertIgnoringDuplicates } from "../../platform/streamWriter";
import { isDuplicateKey } from "../../platform/duplicateKey";
import { isCalendarDate, isTimeZone, localDate } from "./dates";
import type { AttendanceDirectory } from "./directory";
import { isObjectId } from "../../platform/ids";
import { loadExisting } from "../../platform/loader";
import type { AttendanceEngine, GroupMeta } from "./engine";
import { actorOf } from "../../events/catalogue";

export const MAX_ROSTER_ROWS = 10_000;

export interface RosterRow {
  groupId: string;
  studentId?: string | null;
  name?: string | null;
}

export interface RosterImportResult {
  /** Students put on a roll by this call. */
  added: number;
  /** Rows naming a student already on that group's roll (nothing changed). */
  alreadyOnRoll: number;
  /** Roster-only STUDENT accounts created. */
  created: number;
  /** The student of each row, in row order (new ids for rows that gave a name). */
  studentIds: string[];
}

/** The address of a roster-only account: unique, and never deliverable (RFC 2606 `.invalid`). */
export const rosterEmail = (id: Types.ObjectId) => `roster-${id.toHexString()}@students.invalid`;
/** No argon2 hash can equal this, so a roster-only account cannot sign in. */
export const NO_PASSWORD = "!roster-only";

const clean = (s: string, what: string, max = 200) => {
  const v = s.trim();
  if (!v || v.length > max) throw fail("BAD_USER_INPUT", `${what} must be 1-${max} characters`, "INVALID_INPUT");
  return v;
};

export class AttendanceAdmin {
  constructor(
    private readonly deps: {
      engine: AttendanceEngine;
      directory: AttendanceDirectory;
      events: EventBus;
      clock: Clock;
      defaultTimeZone: string;
    },
  ) {}

  async createSchool(admin: AuthUser, input: { name: string; region: string; timeZone?: string | null }): Promise<SchoolDoc> {
    const timeZone = input.timeZone ?? this.deps.defaultTimeZone;
    if (!isTimeZone(timeZone)) throw fail("BAD_USER_INPUT", "timeZone must be an IANA time zone such as Europe/Berlin", "INVALID_TIME_ZONE");
    const created = await SchoolModel.create({ name: clean(input.name, "name"), region: clean(input.region, "region", 100), timeZone });
    const school = created.toObject() as SchoolDoc;
    const schoolId = school._id.toHexString();
    await this.deps.events.publish("SchoolCreated", { schoolId, name: school.name, region: school.region, timeZone }, actorOf(admin));
    return school;
  }

  async createGroup(admin: AuthUser, input: { schoolId: string; name: string }): Promise<GroupDoc> {
    const school = await this.deps.directory.school(input.schoolId);
    let group: GroupDoc;
    try {
      const created = await GroupModel.create({ school: school._id, region: school.region, timeZone: school.timeZone, name: clean(input.name, "name", 100) });
      group = created.toObject() as GroupDoc;
    } catch (e) {
      if (isDuplicateKey(e)) throw fail("CONFLICT", "This school already has a group of that name", "GROUP_EXISTS");
      throw e;
    }
    const groupId = group._id.toHexString();
    this.deps.engine.groups.prime(groupId, { id: groupId, name: group.name, schoolId: input.schoolId, region: group.region, timeZone: group.timeZone });
    await this.deps.events.publish("GroupCreated", { groupId, schoolId: input.schoolId, name: group.name }, actorOf(admin));
    return group;
  }

  /** Idempotent: assigning a teacher twice changes nothing. */
  async assignTeacher(admin: AuthUser, groupId: string, teacherId: string): Promise<GroupMeta> {
    const group = await this.deps.engine.group(requireId(groupId, "GROUP_NOT_FOUND", "Group"));
    const teacher = isObjectId(teacherId) ? await UserModel.findById(teacherId).select({ role: 1 }).lean<{ role: string }>() : null;
    if (!teacher) throw fail("NOT_FOUND", "User not found", "USER_NOT_FOUND");
    if (teacher.role !== "INSTRUCTOR") throw fail("BAD_USER_INPUT", "Teachers are INSTRUCTOR accounts", "NOT_AN_INSTRUCTOR");
    try {
      await GroupTeacherModel.create({ group: new Types.ObjectId(group.id), school: new Types.ObjectId(group.schoolId), teacher: new Types.ObjectId(teacherId) });
    } catch (e) {
      if (isDuplicateKey(e)) return group;
      throw e;
    }
    await this.staffChanged(group, teacherId, true);
    await this.deps.events.publish("GroupTeacherAssigned", { groupId: group.id, schoolId: group.schoolId, teacherId }, actorOf(admin));
    return group;
  }

  async removeTeacher(admin: AuthUser, groupId: string, teacherId: string): Promise<GroupMeta> {
    const group = await this.deps.engine.group(requireId(groupId, "GROUP_NOT_FOUND", "Group"));
    if (!isObjectId(teacherId)) throw fail("NOT_FOUND", "User not found", "USER_NOT_FOUND");
    const res = await GroupTeacherModel.deleteOne({ group: new Types.ObjectId(group.id), teacher: new Types.ObjectId(teacherId) });
    if (res.deletedCount) {
      await this.staffChanged(group, teacherId, false);
      await this.deps.events.publish("GroupTeacherRemoved", { groupId: group.id, schoolId: group.schoolId, teacherId }, actorOf(admin));
    }
    return group;
  }

  /**
   * Puts students on rolls, thousands per call, across any number of groups. Everything is checked
   * before anything is written. `effectiveFrom` (default: each school's today) is the first date
   * they are on the roll.
   */
  async importRoster(admin: AuthUser, rows: RosterRow[], effectiveFrom?: string | null): Promise<RosterImportResult> {
    if (!rows.length) return { added: 0, alreadyOnRoll: 0, created: 0, studentIds: [] };
    if (rows.length > MAX_ROSTER_ROWS) throw fail("BAD_USER_INPUT", `At most ${MAX_ROSTER_ROWS} rows per call`, "TOO_MANY_ROWS");
    if (effectiveFrom && !isCalendarDate(effectiveFrom)) throw fail("BAD_USER_INPUT", "effectiveFrom must be a date YYYY-MM-DD", "INVALID_DATE");
    const groups = await this.loadGroups(rows.map((r) => r.groupId));
    const existing = new Set<string>();
    rows.forEach((r, i) => {
      if (Boolean(r.studentId) === Boolean(r.name?.trim())) {
        throw fail("BAD_USER_INPUT", `Row ${i + 1}: give either studentId or name`, "INVALID_ROW", { row: i + 1 });
      }
      if (r.studentId) {
        if (!isObjectId(r.studentId)) throw fail("BAD_USER_INPUT", `Row ${i + 1}: not a student id`, "NOT_A_STUDENT", { row: i + 1 });
        existing.add(r.studentId);
      } else if (r.name!.trim().length > 200) {
        throw fail("BAD_USER_INPUT", `Row ${i + 1}: name too long`, "INVALID_ROW", { row: i + 1 });
      }
    });
    const students = await UserModel.find({ _id: { $in: [...existing].map((id) => new Types.ObjectId(id)) }, role: "STUDENT" })
      .select({ _id: 1 })
      .lean<{ _id: Types.ObjectId }[]>();
    if (students.length < existing.size) {
      const found = new Set(students.map((s) => s._id.toHexString()));
      const missing = [...existing].filter((id) => !found.has(id));
      throw fail("BAD_USER_INPUT", `Not STUDENT accounts: ${missing.slice(0, 5).join(", ")}`, "NOT_A_STUDENT", { studentIds: missing.slice(0, 100) });
    }

    // Roster-only accounts, in one insertMany.
    const now = new Date(this.deps.clock());
    const studentIds = rows.map((r) => r.studentId ?? new Types.ObjectId().toHexString());
    const fresh = rows.flatMap((r, i) => {
      if (r.studentId) return [];
      const _id = new Types.ObjectId(studentIds[i]);
      return [{ _id, email: rosterEmail(_id), name: r.name!.trim(), passwordHash: NO_PASSWORD, role: "STUDENT", createdAt: now, updatedAt: now }];
    });
    if (fresh.length) await UserModel.collection.insertMany(fresh, { ordered: false });

    // Rows whose student is already on that roll change nothing.
    const current = existing.size
      ? await RollEntryModel.find({ group: { $in: [...groups.keys()].map((g) => new Types.ObjectId(g)) }, student: { $in: students.map((s) => s._id) }, to: null })
          .select({ group: 1, student: 1 })
          .lean<{ group: Types.ObjectId; student: Types.ObjectId }[]>()
      : [];
    const onRoll = new Set(current.map((c) => `${c.group.toHexString()}:${c.student.toHexString()}`));
    const entries = new Map<string, { group: Types.ObjectId; school: Types.ObjectId; student: Types.ObjectId; from: string; to: null }>();
    rows.forEach((r, i) => {
      const key = `${r.groupId}:${studentIds[i]}`;
      if (onRoll.has(key) || entries.has(key)) return;
      const g = groups.get(r.groupId)!;
      entries.set(key, {
        group: new Types.ObjectId(g.id),
        school: new Types.ObjectId(g.schoolId),
        student: new Types.ObjectId(studentIds[i]),
        from: effectiveFrom ?? localDate(g.timeZone, this.deps.clock()),
        to: null,
      });
    });
    const docs = [...entries.values()];
    const reopened = [...(await insertIgnoringDuplicates(RollEntryModel.collection, docs))].map((i) => docs[i]);
    // Taken off and put back on the same day: the period opens again.
    for (const d of reopened) await RollEntryModel.updateOne({ group: d.group, student: d.student, from: d.from }, { $set: { to: null } });

    const touched = [...new Set(docs.map((d) => d.group.toHexString()))];
    await this.deps.engine.refreshGroups(touched.map((g) => groups.get(g)!));
    const result = { added: docs.length, alreadyOnRoll: rows.length - docs.length, created: fresh.length, studentIds };
    await this.deps.events.publish(
      "RosterChanged",
      { schoolIds: schoolsOf(touched, groups), groupIds: touched, added: docs.length, removed: 0, effectiveFrom: effectiveFrom ?? "today" },
      actorOf(admin),
    );
    return result;
  }

  /** Takes students off a roll from `effectiveFrom` (default: the school's today) on. */
  async removeFromRoster(admin: AuthUser, groupId: string, studentIds: string[], effectiveFrom?: string | null): Promise<number> {
    const group = await this.deps.engine.group(requireId(groupId, "GROUP_NOT_FOUND", "Group"));
    if (studentIds.length > MAX_ROSTER_ROWS) throw fail("BAD_USER_INPUT", `At most ${MAX_ROSTER_ROWS} students per call`, "TOO_MANY_ROWS");
    if (effectiveFrom && !isCalendarDate(effectiveFrom)) throw fail("BAD_USER_INPUT", "effectiveFrom must be a date YYYY-MM-DD", "INVALID_DATE");
    if (!studentIds.every(isObjectId)) throw fail("BAD_USER_INPUT", "studentIds must be ids (24 hexadecimal digits)", "INVALID_ID", { field: "studentIds" });
    const ids = studentIds.map((id) => new Types.ObjectId(id));
    const to = effectiveFrom ?? localDate(group.timeZone, this.deps.clock());
    const res = await RollEntryModel.updateMany({ group: new Types.ObjectId(group.id), student: { $in: ids }, to: null }, { $set: { to } });
    if (res.modifiedCount) {
      await this.deps.engine.refreshGroups([group]);
      await this.deps.events.publish(
        "RosterChanged",
        { schoolIds: [group.schoolId], groupIds: [group.id], added: 0, removed: res.modifiedCount, effectiveFrom: to },
        actorOf(admin),
      );
    }
    return res.modifiedCount;
  }

  private async loadGroups(ids: string[]): Promise<Map<string, GroupMeta>> {
    const unique = [...new Set(ids)];
    const bad = unique.filter((id) => !isObjectId(id));
    const found = new Map((await loadExisting(this.deps.engine.groups, unique.filter(isObjectId))).map((m) => [m.id, m]));
    const missing = [...bad, ...unique.filter((id) => isObjectId(id) && !found.has(id))];
    if (missing.length) throw fail("NOT_FOUND", `Group not found: ${missing.slice(0, 5).join(", ")}`, "GROUP_NOT_FOUND", { groupIds: missing.slice(0, 100) });
    return found;
  }

  private async staffChanged(group: GroupMeta, teacherId: string, assigned: boolean): Promise<void> {
    this.deps.directory.forgetStaff();
    await this.deps.engine.teacherChanged(group, teacherId, assigned);
  }
}

function requireId(id: string, reason: string, what: string): string {
  if (!isObjectId(id)) throw fail("NOT_FOUND", `${what} not found`, reason);
  return id;
}

function schoolsOf(groupIds: string[], groups: Map<string, GroupMeta>): string[] {
  return [...new Set(groupIds.map((g) => groups.get(g)!.schoolId))];
}
