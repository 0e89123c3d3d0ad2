import { Arg, Resolver, Root, Subscription } from "type-graphql";
import { Allow } from "../auth/authChecker";
import type { AppContext } from "../context";
import { ALL_EVENTS_TOPIC, EVENT_NAMES, type DomainEvent as Event } from "../events/catalogue";
import { fail } from "../platform/errors";
import { DomainEvent } from "../schema/event";
import { byRole } from "../events/access";
import { liveFeed } from "./live";

@Resolver(() => DomainEvent)
export class EventsResolver {
  @Allow("ADMIN")
  @Subscription(() => DomainEvent, {
    description: "The live audit feed: every domain event (or only the named ones) as it happens (ADMIN)",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      const names = (args.names ?? null) as string[] | null;
      const unknown = names?.filter((n) => !(EVENT_NAMES as string[]).includes(n)) ?? [];
      if (unknown.length) {
        throw fail("BAD_USER_INPUT", `Unknown event names: ${unknown.join(", ")}`, "UNKNOWN_EVENT");
      }
      const right = await ctx.services.access.grant(ctx.user!, byRole("ADMIN"));
      // liveFeed: unsubscribing ends the Redis subscription at once, not at the next event.
      return liveFeed(ctx.services.events.subscribe(ALL_EVENTS_TOPIC), (e: Event) => (!names || names.includes(e.name) ? [e] : []), undefined, right);
    },
  })
  domainEvents(
    @Root() event: Event,
    @Arg("names", () => [String], { nullable: true, description: `Any of: ${EVENT_NAMES.join(", ")}` })
    _names: string[] | null,
  ): DomainEvent {
    return { ...event, time: new Date(event.time), payload: event.payload as unknown as Record<string, unknown> };
  }
}
