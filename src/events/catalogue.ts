// The catalogue of domain events: every state change in the product is one of these.
// Adding an event = adding a payload type here and the topics it is delivered on.
import type { Role } from "../models/user";

export interface EventCatalogue {
  UserSignedUp: { userId: string; email: string; name: string; role: Role };
}

export type EventName = keyof EventCatalogue;

export interface EventActor {
  userId: string;
  role: Role;
}

export interface DomainEvent<N extends EventName = EventName> {
  id: string;
  name: N;
  /** ISO-8601; events travel as JSON through Redis. */
  time: string;
  /** null for the system itself (jobs, bootstrap). */
  actor: EventActor | null;
  payload: EventCatalogue[N];
}

/** The audit feed topic: every event is published here as well as on its own topics. */
export const ALL_EVENTS_TOPIC = "events";

/** Extra per-entity topics an event is delivered on (the topics that domain subscriptions listen to). */
export const eventTopics: { [N in EventName]: (payload: EventCatalogue[N]) => string[] } = {
  UserSignedUp: () => [],
};

export const EVENT_NAMES = Object.keys(eventTopics) as EventName[];
