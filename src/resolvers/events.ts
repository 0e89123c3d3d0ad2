// The audit feed (domainEvents): ADMIN only, held only while the account stays an ADMIN (events/access.ts).
import { Arg, Resolver, Root, Subscription } from "type-graphql";
import { Allow } from "../auth/authChecker";
import type { AppContext } from "../context";
import { auditFeed, eventNames } from "../events/auditFeed";
import { EVENT_NAMES, type DomainEvent as Event } from "../events/catalogue";
import { DomainEvent } from "../schema/event";
import { byRole } from "../events/access";

@Resolver(() => DomainEvent)
export class EventsResolver {
  @Allow("ADMIN")
  @Subscription(() => DomainEvent, {
    description: "The live audit feed: every domain event (or only the named ones) as it happens (ADMIN)",
    subscribe: async ({ args, context }) => {
      const ctx = context as AppContext;
      const names = eventNames(args.names as string[] | null | undefined);
      return auditFeed(ctx.services.events, await ctx.services.access.grant(ctx.user!, byRole("ADMIN")), names);
    },
  })
  domainEvents(
    @Root() event: Event,
    @Arg("names", () => [String], { nullable: true, description: `Any of: ${EVENT_NAMES.join(", ")}` })
    _names: string[] | null,
  ): DomainEvent {
    return { ...event, time: new Date(event.time) };
  }
}
