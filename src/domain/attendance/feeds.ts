// The live view of a school's registers: every report, retraction and completion as it happens, with
// the register as it stands after it (the event carries it, so nothing is read).
import type { EventBus } from "../../events/bus";
import { topics, type DomainEvent, type LessonSnapshot } from "../../events/catalogue";
import { liveFeed, type FeedRight } from "../../events/liveFeed";

/** One change of a register: what was done, to whose marks, and the register after it. */
export interface RegisterChange {
  action: "REPORT" | "RETRACT" | "COMPLETE";
  students: string[];
  lesson: LessonSnapshot;
}

/** Every register change of a school, as it happens. */
export function registerFeed(deps: { events: EventBus }, right: FeedRight, schoolId: string): AsyncIterableIterator<RegisterChange> {
  return liveFeed(deps.events.subscribe(topics.attendance(schoolId)), changeOf, undefined, right);
}

function changeOf(event: DomainEvent): RegisterChange[] {
  switch (event.name) {
    case "AbsenceReported":
      return [{ action: "REPORT", students: event.payload.students, lesson: event.payload.lesson }];
    case "AbsenceRetracted":
      return [{ action: "RETRACT", students: event.payload.students, lesson: event.payload.lesson }];
    case "LessonCompleted":
      return [{ action: "COMPLETE", students: [], lesson: event.payload.lesson }];
    default:
      return [];
  }
}
