// Who belongs to which course, for what one user may see of another (src/auth/policies.ts): the
// courses a user staffs (owner or instructor) and the courses a viewer is a member of (staff, or a
// student enrolled or waitlisted).
import type { Types } from "mongoose";
import type { AuthUser } from "../auth/tokens";
import { CourseModel } from "../models/course";
import { cachedLoader } from "../platform/loader";
import { isObjectId } from "../platform/ids";
import type { EnrollmentEngine } from "./enrollment/engine";

/**
 * Staff assignments change rarely (assignInstructor, removeInstructor); a removed instructor's
 * e-mail stays visible to that course's students for at most this long on an instance.
 */
const STAFF_CACHE_MS = 10_000;

export class CourseMembers {
  private readonly staff = cachedLoader<{ courseIds: string[] }>(
    async (userIds) => {
      const ids = userIds.filter(isObjectId);
      const found = new Map<string, { courseIds: string[] }>(ids.map((id) => [id, { courseIds: [] }]));
      if (!ids.length) return found;
      // One query for the whole batch, each branch served by its index.
      const courses = await CourseModel.find({ $or: [{ owner: { $in: ids } }, { instructors: { $in: ids } }] })
        .select({ owner: 1, instructors: 1 })
        .lean<{ _id: Types.ObjectId; owner: Types.ObjectId; instructors: Types.ObjectId[] }[]>();
      for (const c of courses) {
        for (const member of new Set([c.owner, ...c.instructors].map(String))) found.get(member)?.courseIds.push(c._id.toHexString());
      }
      return found;
    },
    { max: 50_000, ttlMs: STAFF_CACHE_MS },
  );

  constructor(private readonly engine: EnrollmentEngine) {}

  /** Ids of the courses the user owns or teaches (archived ones included). */
  async staffedBy(userId: string): Promise<string[]> {
    return (await this.staff.load(userId))?.courseIds ?? [];
  }

  /** Ids of the courses the user is a member of: staffs, or (a student) holds a seat or waitlist place in. */
  async coursesOf(user: AuthUser): Promise<Set<string>> {
    const staffed = await this.staffedBy(user.id);
    if (user.role !== "STUDENT") return new Set(staffed);
    const { records } = await this.engine.records(user.id);
    return new Set([...staffed, ...records.filter((r) => r.status !== "D").map((r) => r.courseId)]);
  }
}
