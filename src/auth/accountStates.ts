// Tokens are checked against the account they name: every HTTP request and every graphql-ws
// operation (and connection) runs as the account is now (its stored role), and not at all when the
// account is locked or gone. What an instance read of an account is trusted for ACCOUNT_CACHE_MS;
// an ADMIN's change (AccountChanged, from any instance) replaces it on every instance at once.
import DataLoader from "dataloader";
import type { LRUCache } from "lru-cache";
import type { EventBus } from "../events/bus";
import { topics, type AccountChange } from "../events/catalogue";
import { UserModel, type Role, type UserDoc } from "../models/user";
import { boundedCache } from "../platform/cache";
import { fail } from "../platform/errors";
import type { Logger } from "../platform/logger";
import { findByIds } from "../platform/mongo";
import { outageOf } from "../platform/outages";
import type { AuthUser } from "./tokens";

export interface AccountState {
  role: Role;
  locked: boolean;
}

/** Cached for an id that names no account (LRUCache holds no null). */
const GONE = "gone" as const;
type Cached = AccountState | typeof GONE;

/** mongoose's readyState while the server is reachable. */
const CONNECTED = 1;

/** Accounts whose state an instance keeps (fresh ones, and the last state seen of each). */
const MAX_ACCOUNTS = 200_000;

export class AccountStates {
  /** Read within the last ACCOUNT_CACHE_MS (or set by a change): answered without MongoDB. */
  private readonly fresh: LRUCache<string, Cached>;
  /** The last state seen of each account, without expiry: what a MongoDB outage falls back to. */
  private readonly lastSeen = boundedCache<string, AccountState>(MAX_ACCOUNTS);
  /** Concurrent reads of the same accounts share one lookup. */
  private readonly reads: DataLoader<string, AccountState | null>;
  /** Counts changes, so a read that began before a change never caches what it read. */
  private changes = 0;
  private readonly listeners = new Set<(change: AccountChange) => void>();
  private stopFeed?: () => Promise<void>;

  constructor(
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {
    this.fresh = boundedCache<string, Cached>(MAX_ACCOUNTS, ttlMs);
    this.reads = new DataLoader(
      async (ids) => {
        const docs = await findByIds<Pick<UserDoc, "_id" | "role" | "locked">>(UserModel, ids);
        const found = new Map(docs.map((d) => [d._id.toHexString(), { role: d.role as Role, locked: d.locked === true }]));
        return ids.map((id) => found.get(id) ?? null);
      },
      { cache: false, maxBatchSize: 500 },
    );
  }

  /** Follows AccountChanged from every instance (this one's included). */
  start(events: EventBus): void {
    this.stopFeed = events.follow(topics.accounts, "account change not applied", (e) => {
      if (e.name === "AccountChanged") this.apply(e.payload);
    });
  }

  async stop(): Promise<void> {
    await this.stopFeed?.();
  }

  /**
   * The caller as the account stands now: the token's user with the stored role. UNAUTHENTICATED
   * (ACCOUNT_LOCKED, ACCOUNT_NOT_FOUND) when the account may no longer act.
   */
  async current(user: AuthUser): Promise<AuthUser> {
    const state = await this.stateOf(user);
    if (!state) throw fail("UNAUTHENTICATED", "This account no longer exists", "ACCOUNT_NOT_FOUND");
    if (state.locked) throw fail("UNAUTHENTICATED", "This account is locked", "ACCOUNT_LOCKED");
    return state.role === user.role ? user : { ...user, role: state.role };
  }

  /** A change made here or announced by another instance: applied at once, then told to listeners. */
  apply(change: AccountChange): void {
    this.changes++;
    const state = { role: change.role, locked: change.locked };
    this.fresh.set(change.userId, state);
    this.lastSeen.set(change.userId, state);
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger.warn({ err, userId: change.userId }, "account change listener failed");
      }
    }
  }

  /** Called with every change applied on this instance; returns what stops it. */
  onChange(listener: (change: AccountChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async stateOf(user: AuthUser): Promise<AccountState | null> {
    const cached = this.fresh.get(user.id);
    if (cached !== undefined) return cached === GONE ? null : cached;
    // Known to be unreachable: not waited for (the request's own work may wait for it once more).
    if (UserModel.db.readyState !== CONNECTED) return this.whileUnreachable(user);
    const changesBefore = this.changes;
    let state: AccountState | null;
    try {
      state = await this.reads.load(user.id);
    } catch (err) {
      if (!outageOf(err)) throw err;
      return this.whileUnreachable(user);
    }
    // A change applied while this read was under way is newer than what it read.
    if (this.changes !== changesBefore) return this.stateOfUpdated(user.id, state);
    this.fresh.set(user.id, state ?? GONE);
    if (state) this.lastSeen.set(user.id, state);
    return state;
  }

  /**
   * MongoDB unreachable: what runs without it (answers, enrollments, registers) keeps running as the
   * account was last seen; an account this instance never saw keeps its token's word until MongoDB
   * answers. Changes still arrive as events meanwhile. Held for one cache lifetime, so each account
   * waits for the unreachable server at most once per ACCOUNT_CACHE_MS, not on every request.
   */
  private whileUnreachable(user: AuthUser): AccountState {
    const state = this.lastSeen.get(user.id) ?? { role: user.role, locked: false };
    this.fresh.set(user.id, state);
    return state;
  }

  private stateOfUpdated(id: string, read: AccountState | null): AccountState | null {
    const cached = this.fresh.get(id);
    if (cached === undefined) return read;
    return cached === GONE ? null : cached;
  }
}
