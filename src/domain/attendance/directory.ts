// Who teaches where, and the schools: read on every school-level request, so cached per instance.
// Schools never change once created; "is this user staff of that school" answers are dropped on
// every teacher assignment or removal (attendance-staff events, from any instance).
import { boundedCache } from "../../platform/cache";
import { Types } from "mongoose";
import type { EventBus } from "../../events/bus";
import { topics } from "../../events/catalogue";
import { GroupTeacherModel, SchoolModel, type SchoolDoc } from "../../models/attendance";
import { fail } from "../../platform/errors";
import { cachedLoader } from "../../platform/loader";
import { findByIds } from "../../platform/mongo";
import { isObjectId } from "../../platform/ids";


export class AttendanceDirectory {
  readonly schools = cachedLoader<SchoolDoc>(
    async (ids) => {
      const docs = await findByIds<SchoolDoc>(SchoolModel, ids);
      return new Map(docs.map((s) => [s._id.toHexString(), s]));
    },
    { max: 100_000, ttlMs: 3_600_000 },
  );
  private readonly staff = boundedCache<string, boolean>(100_000, 60_000);
  private stopFeed?: () => Promise<void>;

  start(events: EventBus): void {
    this.stopFeed = events.follow(topics.attendanceStaff, "attendance staff cache not cleared", () => this.staff.clear());
  }

  async stop(): Promise<void> {
    await this.stopFeed?.();
  }

  async school(id: string): Promise<SchoolDoc> {
    const s = isObjectId(id) ? await this.schools.load(id) : null;
    if (!s) throw fail("NOT_FOUND", "School not found", "SCHOOL_NOT_FOUND");
    return s;
  }

  /** Does the user teach any group of the school? */
  async isSchoolStaff(schoolId: string, userId: string): Promise<boolean> {
    const key = `${schoolId}:${userId}`;
    const known = this.staff.get(key);
    if (known !== undefined) return known;
    const found = Boolean(await GroupTeacherModel.exists({ school: new Types.ObjectId(schoolId), teacher: new Types.ObjectId(userId) }));
    this.staff.set(key, found);
    return found;
  }

  /** This instance's own changes take effect at once; other instances' arrive as events. */
  forgetStaff(): void {
    this.staff.clear();
  }

}
