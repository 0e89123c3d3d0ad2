// Office-hours lines reach MongoDB behind their changes: a change stores its line in Redis, publishes
// it and releases the course's lock (service.ts); the line's MongoDB write follows here, `delayMs`
// later. One write at a time per course: a version queued while one waits or is under way waits, and
// a newer one takes its place (a line holds every change before it, so only the newest needs
// writing). Changes of a course that come close together (two staff calling, their two invites
// expiring) then cost one line write, and no change waits for one under the lock.
import type { OfficeHoursDoc } from "../../models/officeHours";

interface Course {
  /** The version waiting for the write under way, if any. */
  waiting: OfficeHoursDoc | null;
  /** The newest version queued (written, being written or waiting). */
  newest: number;
  done: Promise<void>;
}

export class LineWriter {
  private readonly courses = new Map<string, Course>();
  /** Ends the waits before writes (drain). */
  private readonly waking = new Set<() => void>();
  private draining = false;

  constructor(
    /** Writes one version (never over a newer one); a failure is passed to `failed`. */
    private readonly write: (doc: OfficeHoursDoc) => Promise<void>,
    private readonly failed: (err: unknown, doc: OfficeHoursDoc) => void,
    /** How long a queued line waits before its write (newer versions queued meanwhile replace it). */
    private readonly delayMs = 0,
  ) {}

  /** Queues a line for MongoDB and returns at once. */
  enqueue(doc: OfficeHoursDoc): void {
    const id = doc._id.toHexString();
    const course = this.courses.get(id);
    if (course) {
      if (doc.version > course.newest) {
        course.waiting = doc;
        course.newest = doc.version;
      }
      return;
    }
    const started: Course = { waiting: doc, newest: doc.version, done: Promise.resolve() };
    this.courses.set(id, started);
    started.done = this.run(id, started);
  }

  /** The newest version of the course's line this instance has still to write (it made it), if any. */
  newest(courseId: string): number | undefined {
    return this.courses.get(courseId)?.newest;
  }

  /** Resolves once every line this instance queued for the course is written (or failed). */
  settled(courseId: string): Promise<void> {
    return this.courses.get(courseId)?.done ?? Promise.resolve();
  }

  /** Writes every queued line now and resolves once they are written (at shutdown, before MongoDB closes). */
  async drain(): Promise<void> {
    this.draining = true;
    for (const wake of this.waking) wake();
    while (this.courses.size) await Promise.all([...this.courses.values()].map((c) => c.done));
  }

  private async run(id: string, course: Course): Promise<void> {
    if (this.waits()) await this.pause();
    for (let doc = course.waiting; doc; doc = course.waiting) {
      course.waiting = null;
      await this.write(doc).catch((err) => this.failed(err, doc!));
      if (course.waiting && this.waits()) await this.pause();
    }
    this.courses.delete(id);
  }

  private waits(): boolean {
    return this.delayMs > 0 && !this.draining;
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waking.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.delayMs);
      this.waking.add(wake);
    });
  }
}
