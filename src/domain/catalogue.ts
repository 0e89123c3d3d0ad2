// The course catalogue held in memory by every instance: catalogue pages are the hottest read and
// the catalogue is small and rarely changes. It loads at start, applies this instance's own writes at
// once, follows other instances' writes through the `catalogue` event topic, and re-reads recently
// changed courses every RESYNC_MS in case an event was missed (Redis restart).
import { CourseModel, type CourseDoc } from "../models/course";
import type { EventBus } from "../events/bus";
import { topics } from "../events/catalogue";
import type { Logger } from "../platform/logger";
import { decodeCursor, type Page } from "../platform/pagination";

const RESYNC_MS = 60_000;

export interface CatalogueFilter {
  category?: string | null;
  department?: string | null;
  ownerId?: string | null;
  /** Owner or one of the instructors. */
  staffId?: string | null;
  /** Case-insensitive text in the code or title. */
  search?: string | null;
  includeArchived?: boolean | null;
}

export class Catalogue {
  private readonly byId = new Map<string, CourseDoc>();
  /** Ids in ascending order (ObjectIds sort by creation): the order pages are served in. */
  private ids: string[] = [];
  private lastSync = new Date(0);
  private timer?: NodeJS.Timeout;
  private stopFeed?: () => Promise<void>;

  constructor(private readonly logger: Logger) {}

  async start(events: EventBus): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync().catch((err) => this.logger.warn({ err }, "catalogue resync failed")), RESYNC_MS);
    this.timer.unref();
    // Another instance's write: read that course again.
    this.stopFeed = events.follow(topics.catalogue, "catalogue reload failed", (e) => {
      return "courseId" in e.payload && e.payload.courseId ? this.reload(e.payload.courseId) : undefined;
    });
  }

  stop(): void {
    clearInterval(this.timer);
    void this.stopFeed?.();
  }

  get(id: string): CourseDoc | undefined {
    return this.byId.get(id);
  }

  /** Adds or replaces a course (after a write, or when another instance announced one). */
  put(course: CourseDoc): void {
    const id = course._id.toHexString();
    if (!this.byId.has(id)) this.ids.splice(this.insertionPoint(id), 0, id);
    this.byId.set(id, course);
  }

  async reload(id: string): Promise<CourseDoc | undefined> {
    const course = await CourseModel.findById(id).lean<CourseDoc>();
    if (course) this.put(course);
    return course ?? undefined;
  }

  list(filter: CatalogueFilter, first: number, after?: string | null): Page<CourseDoc> {
    const start = after ? this.insertionPoint(decodeCursor(after).toHexString(), true) : 0;
    const search = filter.search?.trim().toLowerCase();
    const items: CourseDoc[] = [];
    for (let i = start; i < this.ids.length && items.length <= first; i++) {
      const c = this.byId.get(this.ids[i])!;
      if (!filter.includeArchived && c.archived) continue;
      if (filter.category && c.category !== filter.category) continue;
      if (filter.department && c.department !== filter.department) continue;
      // A stored course may lack a field (written by an older version, or by hand): it only fails to match.
      if (filter.ownerId && c.owner?.toHexString() !== filter.ownerId) continue;
      if (filter.staffId && !isStaff(c, filter.staffId)) continue;
      if (search && !(c.code ?? "").toLowerCase().includes(search) && !(c.title ?? "").toLowerCase().includes(search)) continue;
      items.push(c);
    }
    return { items: items.slice(0, first), hasNextPage: items.length > first };
  }

  /** Every course the user owns or teaches, archived ones included. */
  staffedBy(userId: string): CourseDoc[] {
    return this.ids.map((id) => this.byId.get(id)!).filter((c) => isStaff(c, userId));
  }

  private async sync(): Promise<void> {
    const since = new Date(this.lastSync.getTime() - 5_000);
    const started = new Date();
    const changed = await CourseModel.find(this.lastSync.getTime() ? { updatedAt: { $gte: since } } : {}).lean<CourseDoc[]>();
    for (const c of changed) this.put(c);
    this.lastSync = started;
  }

  /** Index of the first id greater than (or, unless `after`, equal to) `id`. */
  private insertionPoint(id: string, after = false): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid] < id || (after && this.ids[mid] === id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const isStaff = (c: CourseDoc, userId: string): boolean =>
  c.owner?.toHexString() === userId || (c.instructors ?? []).some((i) => i.toHexString() === userId);
