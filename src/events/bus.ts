// The event bus: the only way a domain event is published (to every instance, over Redis pub/sub) or
// followed. A failed publish is logged, never thrown: the state change it reports stands.
import { randomUUID } from "node:crypto";
import type { Logger } from "../platform/logger";
import type { RedisPubSubAdapter } from "../platform/pubsub";
import { withdrawsRights } from "./access";
import {
  ALL_EVENTS_TOPIC,
  type DomainEvent,
  type EventActor,
  type EventCatalogue,
  type EventName,
  eventTopics,
  topics as entityTopics,
} from "./catalogue";

/** The only way to publish a domain event. */
export class EventBus {
  constructor(
    private readonly pubsub: RedisPubSubAdapter,
    private readonly logger: Logger,
    private readonly onPublished: (name: EventName) => void = () => undefined,
  ) {}

  async publish<N extends EventName>(
    name: N,
    payload: EventCatalogue[N],
    actor: EventActor | null,
  ): Promise<DomainEvent<N>> {
    const event: DomainEvent<N> = { id: randomUUID(), name, time: new Date().toISOString(), actor, payload };
    const topics = [ALL_EVENTS_TOPIC, ...eventTopics[name](payload)];
    // Every instance re-checks its live feeds on these, without following every event.
    if (withdrawsRights(name)) topics.push(entityTopics.access);
    try {
      await this.pubsub.publishToAll(topics, event);
    } catch (err) {
      // The state change already happened; a lost notification must not turn it into an error.
      this.logger.error({ err, event: name, eventId: event.id }, "event publish failed");
    }
    this.onPublished(name);
    this.logger.debug({ event: name, eventId: event.id }, "event published");
    return event;
  }

  subscribe(topic: string): AsyncIterable<DomainEvent> {
    return this.pubsub.subscribe(topic) as AsyncIterable<DomainEvent>;
  }

  /**
   * The server's own reaction to a topic's events (from every instance): `handle` runs for each, one
   * at a time; a failure is logged as `what` and the feed goes on. Returns what stops it.
   */
  follow(topic: string, what: string, handle: (event: DomainEvent) => Promise<unknown> | void): () => Promise<void> {
    const feed = this.subscribe(topic)[Symbol.asyncIterator]();
    void (async () => {
      for (;;) {
        const next = await feed.next().catch(() => ({ done: true as const, value: undefined }));
        if (next.done) return;
        try {
          await handle(next.value);
        } catch (err) {
          this.logger.warn({ err, event: next.value.name, eventId: next.value.id }, what);
        }
      }
    })();
    return async () => {
      await feed.return?.();
    };
  }
}
