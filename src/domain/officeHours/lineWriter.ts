// Office-hours lines reach MongoDB behind their changes: a change stores its line in Redis, publishes
// it and releases the course's lock (lineStore.ts); the line's MongoDB write follows here, `delayMs`
// later. One write at a time per course: a version queued while one waits or is under way waits, and
// a newer one takes its place (a line holds every change before it, so only the newest needs
// writing). Changes of a course that come close together (two staff calling, their two invites
// expiring) then cost one line write, and no change waits for one under the lock. A failed write is
// tried again after a pause (doubling, RETRY_ATTEMPTS in all) unless a newer version has come to take
// its place; after the last attempt the copy in Redis, still marked unsaved, is the line until a
// change of the course writes it (lineStore.ts).
import type { OfficeHoursDoc } from "../../models/officeHours";

/** Attempts per version before the writer gives up on it (the first pause is RETRY_FIRST_MS, then doubling). */
export const RETRY_ATTEMPTS = 5;
const RETRY_FIRST_MS = 1_000;

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
    /** Told of every failed attempt; `retrying` says whether this version will be tried again. */
    private readonly failed: (err: unknown, doc: OfficeHoursDoc, retrying: boolean) => void,
    /** How long a queued line waits before its write (newer versions queued meanwhile replace it). */
    private readonly delayMs = 0,
    /** The pause before a failed write's first retry (doubling after each failure). */
    private readonly retryFirstMs = RETRY_FIRST_MS,
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
    if (this.waits()) await this.pause(this.delayMs);
    let failures = 0;
    for (let doc = course.waiting; doc; doc = course.waiting) {
      course.waiting = null;
      try {
        await this.write(doc);
        failures = 0;
      } catch (err) {
        failures++;
        // A newer version waiting holds this one's changes: it is written instead. At shutdown, no retry.
        const retrying = !course.waiting && !this.draining && failures < RETRY_ATTEMPTS;
        this.failed(err, doc, retrying);
        if (retrying) {
          course.waiting = doc;
          await this.pause(this.retryFirstMs * 2 ** (failures - 1));
          continue;
        }
        failures = 0;
      }
      if (course.waiting && this.waits()) await this.pause(this.delayMs);
    }
    this.courses.delete(id);
  }

  private waits(): boolean {
    return this.delayMs > 0 && !this.draining;
  }

  private pause(ms: number): Promise<void> {
    if (this.draining) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waking.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waking.add(wake);
    });
  }
}
