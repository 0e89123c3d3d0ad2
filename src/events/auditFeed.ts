// The audit feed: every domain event (or only the named ones) as it is published, from every instance.
import type { EventBus } from "./bus";
import { ALL_EVENTS_TOPIC, EVENT_NAMES, type DomainEvent, type EventName } from "./catalogue";
import { liveFeed, type FeedRight } from "./liveFeed";
import { fail } from "../platform/errors";

/** The names asked for, refused (BAD_USER_INPUT, UNKNOWN_EVENT) when the catalogue lacks any. */
export function eventNames(names: readonly string[] | null | undefined): EventName[] | null {
  if (!names) return null;
  const unknown = names.filter((n) => !EVENT_NAMES.some((known) => known === n));
  if (unknown.length) throw fail("BAD_USER_INPUT", `Unknown event names: ${unknown.join(", ")}`, "UNKNOWN_EVENT");
  return EVENT_NAMES.filter((n) => names.includes(n));
}

/** Events of `names` (all when null). Ending the feed ends its Redis subscription at once, not at the next event. */
export function auditFeed(events: EventBus, right: FeedRight, names: readonly EventName[] | null): AsyncIterableIterator<DomainEvent> {
  return liveFeed(events.subscribe(ALL_EVENTS_TOPIC), (e: DomainEvent) => (!names || names.includes(e.name) ? [e] : []), undefined, right);
}
