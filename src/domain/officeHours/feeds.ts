// The live views of a course's office hours: every event of the line carries the whole line after the
// change (QueueState), so each view is derived from the event with no database read, in version
// order, the line as it stands first (versionedFeed). Views one event gives many subscribers are
// built once (`sharedPayload`): their keys name everything the viewer-dependent part depends on.
import type { EventBus } from "../../events/bus";
import { topics, type DomainEvent, type QueueEntryState, type QueueState } from "../../events/catalogue";
import type { Grant } from "../../events/access";
import { sharedPayload } from "../../events/sharing";
import { versionedFeed } from "../../events/versionedFeed";
import type { OfficeHoursService } from "./service";
import { statusKey, viewEntry, viewQueue, viewStatus, type EntryView, type QueueView, type StatusView, type Viewer } from "./views";

export interface LineFeedDeps {
  events: EventBus;
  officeHours: Pick<OfficeHoursService, "current">;
}

/** A granted right to watch a course's line, answered by OfficeHoursService.watcher. */
export type LineWatch = Grant<{ courseId: string; seesEveryone: boolean }>;

/** The line after a change, with the entry the change was about (none for the snapshot, duty or policy). */
interface LineState {
  queue: QueueState;
  entry?: QueueEntryState;
}

/** The line, as the viewer may see it (every entry, or counts and their own): now, then after every change. */
export function queueFeed(deps: LineFeedDeps, watch: LineWatch, viewerId: string): AsyncIterableIterator<QueueView> {
  const { courseId, seesEveryone } = watch.answer;
  const viewer: Viewer = { userId: viewerId, seesEveryone };
  // Every dashboard that sees the whole line gets the same snapshot of a version. A student's view
  // depends on their own entry (and the meeting it may be in): in the key.
  return lineFeed(deps, watch, ({ queue }) => {
    const mine = queue.entries.find((e) => e.studentId === viewerId)?.entryId ?? "-";
    return sharedPayload(queue, `queue:${courseId}:${queue.version}:${seesEveryone ? "all" : "counts"}:${mine}`, () => viewQueue(queue, viewer));
  });
}

/**
 * A student's entry in the line: now (if any), then whenever its status, position, estimate or invite
 * changes, its end included (the entry a change ended is no longer in the line, but is in the event).
 */
export function myEntryFeed(deps: LineFeedDeps, watch: LineWatch, studentId: string): AsyncIterableIterator<EntryView> {
  return lineFeed(
    deps,
    watch,
    ({ queue, entry }) => {
      const mine = entry?.studentId === studentId ? entry : queue.entries.find((e) => e.studentId === studentId);
      return mine && viewEntry(mine, queue);
    },
    (view) => JSON.stringify([view.entryId, view.status, view.position, view.estimatedWait, view.inviteExpiresAt]),
  );
}

/** Open or closed, who is on duty and what they are doing: now, then whenever that changes. */
export function statusFeed(deps: LineFeedDeps, watch: LineWatch, viewerId: string): AsyncIterableIterator<StatusView> {
  const { courseId, seesEveryone } = watch.answer;
  const viewer: Viewer = { userId: viewerId, seesEveryone };
  // Staff share one status per version; students see meeting links only of a meeting they are
  // invited to or in: those without one share theirs, each who has one gets their own.
  return lineFeed(
    deps,
    watch,
    ({ queue }) => {
      const meeting = seesEveryone ? "all" : (queue.entries.find((e) => e.studentId === viewerId && e.staffId)?.entryId ?? "-");
      return sharedPayload(queue, `status:${courseId}:${queue.version}:${meeting}`, () => viewStatus(queue, viewer));
    },
    statusKey,
  );
}

function lineFeed<V>(deps: LineFeedDeps, watch: LineWatch, view: (change: LineState) => V | undefined, key?: (view: V) => string): AsyncIterableIterator<V> {
  const { courseId } = watch.answer;
  return versionedFeed(
    deps.events.subscribe(topics.officeHours(courseId)),
    {
      stateOf: lineChangeOf,
      snapshot: async () => ({ queue: await deps.officeHours.current(courseId) }),
      version: (change: LineState) => change.queue.version,
      view,
      key,
    },
    watch,
  );
}

/** Every event on a course's office-hours topic carries its line. */
function lineChangeOf(event: DomainEvent): LineState | undefined {
  return "queue" in event.payload ? event.payload : undefined;
}
