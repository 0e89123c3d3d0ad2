// Live feeds last only as long as their right. Every feed is created with the check its subscription
// passed (`grant` in its resolver, then its feed holds the right); this per-instance registry keeps the
// check beside the scope it rests on (the viewer's account, a course, a school) and, when an event that
// can take a right away arrives (WITHDRAWALS, delivered on the `access` topic by every instance's bus),
// runs the checks of the feeds in that scope again, on fresh state. A feed whose check now fails ends
// with the check's error (FORBIDDEN) on that subscription; the socket stays open for the others.
// While no right changes nothing runs: no polling, one indexed lookup per withdrawing event.
import type { AuthUser } from "../auth/tokens";
import type { Role } from "../models/user";
import { fail } from "../platform/errors";
import type { Logger } from "../platform/logger";
import type { EventBus } from "./bus";
import { topics, type DomainEvent, type EventCatalogue, type EventName } from "./catalogue";

/** What a right rests on besides the viewer's account, as the feed's check answers it. */
export interface Scope {
  /** Staff of this course, or a student enrolled in it. */
  courseId?: string;
  /** Teaching a group of this school. */
  schoolId?: string;
}

/**
 * The authorization of one subscription: the roles it is open to (its @Allow) and the check its
 * subscribe path calls. The check throws when `viewer` may not watch and answers the scope the right
 * rests on, with whatever decides what the feed shows (whether every entry of a line is visible): a
 * different answer later ends the feed too, so nobody keeps a wider view than they now have.
 */
export interface Right<A extends Scope> {
  roles?: readonly Role[];
  check(viewer: AuthUser): Promise<A>;
}

/** A right that rests on the account alone: signed in, with one of `roles` (any role when none). */
export const byRole = (...roles: Role[]): Right<Scope> => ({ roles, check: async () => ({}) });

/** A granted right: what its check answered, and the hook its live feed holds it by. */
export interface Grant<A extends Scope> {
  answer: A;
  attach(end: (error: Error) => void): () => void;
}

const keys = {
  account: (userId: string) => `account:${userId}`,
  course: (courseId: string, userId: string) => `course:${courseId}:${userId}`,
  school: (schoolId: string, userId: string) => `school:${schoolId}:${userId}`,
};

/** What checks read from per-instance caches, brought up to date before they run again. */
export interface AccessCaches {
  /** Read the course again (this instance's catalogue may not have applied the change yet). */
  reloadCourse(courseId: string): Promise<unknown>;
  /** Drop the cached "teaches in this school" answers. */
  forgetSchoolStaff(): void;
}

interface Withdrawal {
  /** The scopes whose feeds are checked again. */
  keys: string[];
  refresh?(caches: AccessCaches): Promise<unknown> | void;
}

/**
 * The events that can take a right away, and whose. Enrollments are read from Redis, which holds the
 * change before its event is published; an account's new role comes with its event.
 */
const WITHDRAWALS: { [N in EventName]?: (p: EventCatalogue[N]) => Withdrawal } = {
  AccountChanged: (p) => ({ keys: [keys.account(p.userId)] }),
  InstructorRemoved: (p) => ({ keys: [keys.course(p.courseId, p.instructorId)], refresh: (c) => c.reloadCourse(p.courseId) }),
  StudentDisenrolled: (p) => ({ keys: [keys.course(p.courseId, p.studentId)] }),
  CourseSwitched: (p) => ({ keys: [keys.course(p.from.courseId, p.studentId)] }),
  GroupTeacherRemoved: (p) => ({ keys: [keys.school(p.schoolId, p.teacherId)], refresh: (c) => c.forgetSchoolStaff() }),
};

export const withdrawsRights = (name: EventName): boolean => name in WITHDRAWALS;

function withdrawalOf<N extends EventName>(event: DomainEvent<N>): Withdrawal | undefined {
  return WITHDRAWALS[event.name]?.(event.payload);
}

interface Watch {
  /** The viewer as the last account change left them (a role change applies to feeds already open). */
  viewer: AuthUser;
  right: Right<Scope>;
  /** The first answer of the check, as JSON. */
  answer: string;
  keys: string[];
  end(error: Error): void;
}

async function authorize<A extends Scope>(viewer: AuthUser, right: Right<A>): Promise<A> {
  if (right.roles?.length && !right.roles.includes(viewer.role)) {
    throw fail("FORBIDDEN", `Requires role ${right.roles.join(" or ")}`, "ROLE_REQUIRED");
  }
  return right.check(viewer);
}

export class LiveAccess {
  private readonly watches = new Map<string, Set<Watch>>();
  /** Work runs one item at a time, so a check queued behind a withdrawal reads what it refreshed. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private finished = 0;
  private stopFeed?: () => Promise<void>;

  constructor(private readonly deps: { events: EventBus; caches: AccessCaches; logger: Logger }) {}

  start(): void {
    this.stopFeed = this.deps.events.follow(topics.access, "live feeds not checked again", (event) => this.withdrawal(event));
  }

  async stop(): Promise<void> {
    await this.stopFeed?.();
  }

  /** Runs the subscription's check (throws its error when refused); the feed then holds the grant. */
  async grant<A extends Scope>(viewer: AuthUser, right: Right<A>): Promise<Grant<A>> {
    const before = this.finished;
    const answer = await authorize(viewer, right);
    return {
      answer,
      attach: (end) => {
        const watch: Watch = { viewer, right, answer: JSON.stringify(answer), keys: scopeKeys(viewer.id, answer), end };
        for (const key of watch.keys) {
          let set = this.watches.get(key);
          if (!set) this.watches.set(key, (set = new Set()));
          set.add(watch);
        }
        // A withdrawal handled while the first check ran may have looked before this feed was here.
        if (this.finished !== before || this.queued > this.finished) void this.serially(() => this.recheck([watch]));
        return () => this.forget(watch);
      },
    };
  }

  private withdrawal(event: DomainEvent): Promise<void> {
    const withdrawn = withdrawalOf(event);
    if (!withdrawn) return Promise.resolve();
    const { keys: affected, refresh } = withdrawn;
    return this.serially(async () => {
      await refresh?.(this.deps.caches);
      const watches = [...new Set(affected.flatMap((key) => [...(this.watches.get(key) ?? [])]))];
      if (event.name === "AccountChanged") {
        const account = event.payload;
        if (account.locked) {
          for (const w of watches) this.end(w, fail("FORBIDDEN", "This account is locked", "ACCOUNT_LOCKED"));
          return;
        }
        for (const w of watches) w.viewer = { ...w.viewer, role: account.role };
      }
      await this.recheck(watches);
    });
  }

  private serially(work: () => Promise<void>): Promise<void> {
    this.queued++;
    this.queue = this.queue
      .then(work)
      .catch((err) => this.deps.logger.warn({ err }, "live feed rights not checked again"))
      .finally(() => void this.finished++);
    return this.queue;
  }

  private async recheck(watches: Watch[]): Promise<void> {
    await Promise.all(
      watches.map(async (w) => {
        let error: Error;
        try {
          if (JSON.stringify(await authorize(w.viewer, w.right)) === w.answer) return;
          error = fail("FORBIDDEN", "What this feed may show has changed: subscribe again", "ACCESS_CHANGED");
        } catch (e) {
          // Not only a refusal: a check that cannot be made (an outage) does not keep the feed either.
          error = e instanceof Error ? e : new Error(String(e));
        }
        this.end(w, error);
      }),
    );
  }

  private end(w: Watch, error: Error): void {
    if (!this.forget(w)) return; // the client left meanwhile
    this.deps.logger.info({ userId: w.viewer.id, reason: (error as { reason?: string }).reason }, "live feed ended: right withdrawn");
    w.end(error);
  }

  /** Whether the feed was still held. */
  private forget(w: Watch): boolean {
    let held = false;
    for (const key of w.keys) {
      const set = this.watches.get(key);
      if (!set?.delete(w)) continue;
      held = true;
      if (!set.size) this.watches.delete(key);
    }
    return held;
  }
}

function scopeKeys(userId: string, scope: Scope): string[] {
  const found = [keys.account(userId)];
  if (scope.courseId) found.push(keys.course(scope.courseId, userId));
  if (scope.schoolId) found.push(keys.school(scope.schoolId, userId));
  return found;
}
