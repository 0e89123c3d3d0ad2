// The leaderboard push, throttled across instances: at most one LeaderboardUpdated per window per
// quiz, and the last change always pushed by the end of the window it falls in. The window is a Redis
// key (SET NX PX, taken inside the answer script): the instance that takes it pushes at once; a change
// that finds it taken marks the quiz pending, and every instance holding a pending change keeps a
// timer for the window's end, where the first to take the next window pushes (TRAIL script). So a
// trailing push survives the instance that opened the window dying. The script that takes a window
// also reads the snapshot, so a push shows the standings of the instant its window opened.
import type { EventBus } from "../../events/bus";
import type { LeaderboardSnapshot } from "../../events/catalogue";
import type { Logger } from "../../platform/logger";
import { QuizEngine, type Standings } from "./engine";

export { PUSH_SIZE } from "./scripts";

export class LeaderboardPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly engine: QuizEngine,
    private readonly events: EventBus,
    private readonly windowMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * After a change, with what its script said: `due` 0 = it took the window and read `snapshot`
   * (push it now); > 0 = a trailing push is due in that many ms.
   */
  changed(quizId: string, due: number, snapshot?: Standings): void {
    if (due === 0 && snapshot) {
      void this.publish(quizId, snapshot);
      this.schedule(quizId, this.windowMs);
    } else if (due > 0) {
      this.schedule(quizId, due);
    }
  }

  /** Stops the timers; a pending trailing push is made by another instance (or the next change). */
  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(quizId: string, ms: number): void {
    if (this.timers.has(quizId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(quizId);
      void this.trail(quizId);
    }, ms);
    this.timers.set(quizId, timer);
  }

  private async trail(quizId: string): Promise<void> {
    try {
      const reply = await this.engine.run("qzTrail", quizId, [this.windowMs]);
      const due = Number(reply[0]);
      if (due === 0) {
        await this.publish(quizId, QuizEngine.standings(reply, 1));
        this.schedule(quizId, this.windowMs);
      } else if (due > 0) {
        this.schedule(quizId, due);
      }
    } catch (err) {
      this.logger.warn({ err, quizId }, "trailing leaderboard push failed; retrying");
      this.schedule(quizId, this.windowMs);
    }
  }

  private async publish(quizId: string, standings: Standings): Promise<void> {
    // EventBus.publish logs and swallows a failed publish: the next window pushes again.
    await this.events.publish("LeaderboardUpdated", snapshotOf(quizId, standings), null);
  }
}

export function snapshotOf(quizId: string, s: Standings): LeaderboardSnapshot {
  return { quizId, version: s.version, closed: s.closed, playerCount: s.playerCount, asOf: s.asOf, entries: s.entries };
}
