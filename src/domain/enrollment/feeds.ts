// The live views of enrollment: a course's seat counts (shown to anyone signed in) and a student's
// own seats and waitlist places. Every change's event carries the counts after it, so neither reads.
import type { EventBus } from "../../events/bus";
import { topics, type DomainEvent, type SeatsSnapshot } from "../../events/catalogue";
import { liveFeed, type FeedRight } from "../../events/liveFeed";
import type { EnrollmentService, EnrollmentView } from "./service";

export interface EnrollmentFeedDeps {
  events: EventBus;
  enrollment: Pick<EnrollmentService, "seats">;
}

/** A course's seats: the counts now, then after every change of them. */
export function seatsFeed(deps: EnrollmentFeedDeps, right: FeedRight, courseId: string): AsyncIterableIterator<SeatsSnapshot> {
  return liveFeed(
    deps.events.subscribe(topics.courseSeats(courseId)),
    (event: DomainEvent) => {
      const mine = "seats" in event.payload ? event.payload.seats.find((s) => s.courseId === courseId) : undefined;
      return mine ? [mine] : [];
    },
    async () => ({ courseId, ...(await deps.enrollment.seats(courseId)) }),
    right,
  );
}

/** A student's enrollments as they change: seats, waitlist places, promotions, drops (a switch is two). */
export function myEnrollmentsFeed(deps: Pick<EnrollmentFeedDeps, "events">, right: FeedRight, studentId: string): AsyncIterableIterator<EnrollmentView> {
  return liveFeed(deps.events.subscribe(topics.studentEnrollments(studentId)), changesOf, undefined, right);
}

function changesOf(event: DomainEvent): EnrollmentView[] {
  switch (event.name) {
    case "StudentEnrolled":
    case "StudentWaitlisted":
    case "StudentDisenrolled":
    case "StudentPromoted":
      return [event.payload];
    case "CourseSwitched":
      return [event.payload.from, event.payload.to];
    default:
      return [];
  }
}
