// Redis pub/sub behind type-graphql's PubSub: a message published on one instance reaches the
// subscribers of every instance, at most once (Redis keeps nothing for a subscriber not connected).
import { RedisPubSub } from "graphql-redis-subscriptions";
import type { Redis } from "ioredis";
import type { PubSub } from "type-graphql";
import { luaScript, RedisScript } from "./luaScript";

/** ARGV: message, channels... */
const PUBLISH_ALL = new RedisScript(luaScript(__dirname, "publishAll.lua"));

/**
 * type-graphql's PubSub over Redis, so a subscription on one instance sees what another published.
 * Channels are `<prefix><topic>` or `<prefix><topic>:<id>` for per-entity topics.
 */
export class RedisPubSubAdapter implements PubSub {
  private readonly redisPubSub: RedisPubSub;

  constructor(
    private readonly publisher: Redis,
    subscriber: Redis,
    private readonly prefix: string,
  ) {
    this.redisPubSub = new RedisPubSub({ publisher, subscriber });
  }

  channel(topic: string, id?: unknown): string {
    return id === undefined || id === null ? `${this.prefix}${topic}` : `${this.prefix}${topic}:${String(id)}`;
  }

  /** `publish(topic, payload)` or, for per-entity topics, `publish(topic, id, payload)`. */
  publish(topic: string, ...args: unknown[]): Promise<void> {
    const [id, payload] = args.length > 1 ? args : [undefined, args[0]];
    return this.redisPubSub.publish(this.channel(topic, id), payload);
  }

  /**
   * One payload to several topics, serialized once (what RedisPubSub's subscribers parse back) and
   * sent in one command (a script publishing to each channel), not one command per topic.
   */
  async publishToAll(topics: string[], payload: unknown): Promise<void> {
    const message = JSON.stringify(payload);
    await PUBLISH_ALL.run<number>(this.publisher, message, ...topics.map((t) => this.channel(t)));
  }

  subscribe(topic: string, id?: unknown): AsyncIterable<unknown> {
    return this.redisPubSub.asyncIterableIterator(this.channel(topic, id));
  }

  close(): Promise<void> {
    return this.redisPubSub.close().then(() => undefined);
  }
}
