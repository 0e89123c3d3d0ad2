// Office-hours lines reach MongoDB behind their changes: a change stores its line in Redis, publishes
// it and releases the course's lock (service.ts); the line's MongoDB write follows here. One write at a
// time per course: a version queued while one is under way waits, and a newer one takes its place (a
// line holds every change before it, so only the newest needs writing). Under load most changes of a
// busy course then cost no line write at all, and no change waits for one under the lock.
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

  constructor(
    /** Writes one version (never over a newer one); a failure is passed to `failed`. */
    private readonly write: (doc: OfficeHoursDoc) => Promise<void>,
    private readonly failed: (err: unknown, doc: OfficeHoursDoc) => void,
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

  /** True while this instance still has to write exactly this version of the course's line (it made it). */
  writing(courseId: string, version: number): boolean {
    return this.courses.get(courseId)?.newest === version;
  }

  /** Resolves once every line this instance queued for the course is written (or failed). */
  settled(courseId: string): Promise<void> {
    return this.courses.get(courseId)?.done ?? Promise.resolve();
  }

  /** Resolves once every queued line is written (at shutdown, before MongoDB closes). */
  async drain(): Promise<void> {
    while (this.courses.size) await Promise.all([...this.courses.values()].map((c) => c.done));
  }

  private async run(id: string, course: Course): Promise<void> {
    for (let doc = course.waiting; doc; doc = course.waiting) {
      course.waiting = null;
      await this.write(doc).catch((err) => this.failed(err, doc!));
    }
    this.courses.delete(id);
  }
}
