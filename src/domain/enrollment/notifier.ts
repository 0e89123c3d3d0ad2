// Turns the engine's replies into domain events (after the change is committed in Redis).
import type { EventBus } from "../../events/bus";
import type { EventActor, SeatsSnapshot } from "../../events/catalogue";
import type { Promotion, SeatCounts } from "./engine";

export const seats = (courseId: string, c: SeatCounts): SeatsSnapshot => ({ courseId, ...c });

export class EnrollmentNotifier {
  constructor(private readonly events: EventBus) {}

  /** Waitlisted students who got a seat; the system acted, so there is no actor. */
  async promotions(promoted: Promotion[]): Promise<void> {
    for (const p of promoted) {
      await this.events.publish(
        "StudentPromoted",
        {
          enrollmentId: p.enrollmentId,
          courseId: p.courseId,
          studentId: p.studentId,
          status: "ENROLLED",
          position: 0,
          pricePaid: p.pricePaid,
          seats: [seats(p.courseId, p.counts)],
        },
        null as EventActor | null,
      );
    }
  }
}
