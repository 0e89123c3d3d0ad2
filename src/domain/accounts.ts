// Accounts: sign-up, log-in, the current user, what ADMINs change of an account, and the ADMIN
// bootstrap. No GraphQL here.
import { setTimeout as sleep } from "node:timers/promises";
import { boundedCache } from "../platform/cache";
import { isDuplicateKey } from "../platform/duplicateKey";
import type { AccountStates } from "../auth/accountStates";
import type { EventBus } from "../events/bus";
import { actorOf, type AccountChange } from "../events/catalogue";
import type { PasswordHasher } from "../auth/passwords";
import type { AuthUser, IssuedToken, TokenService } from "../auth/tokens";
import { SELF_SIGNUP_ROLES, UserModel, type Role, type Sex, type UserDoc } from "../models/user";
import { fail } from "../platform/errors";
import type { Logger } from "../platform/logger";
import type { RedisLimiter } from "../platform/rateLimit";
import { cachedLoader } from "../platform/loader";
import { findByIds } from "../platform/mongo";
import { pageById, type Page } from "../platform/pagination";
import { isObjectId } from "../platform/ids";

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  role: Role;
  sex?: Sex | null;
}

export interface AuthResult extends IssuedToken {
  user: UserDoc;
}

export interface RequestMeta {
  ip: string;
}

export interface AccountsDeps {
  hasher: PasswordHasher;
  tokens: TokenService;
  events: EventBus;
  logger: Logger;
  /** Whether tokens' accounts may act, per instance; told at once of changes made here. */
  states: AccountStates;
  limits: {
    /** Failed log-ins per address: refuses the address. */
    loginPerIp: RedisLimiter;
    /** Failed log-ins per (account, address): refuses that address for that account. */
    loginPerAccountIp: RedisLimiter;
    /** Failed log-ins per account from every address: counted only, to slow each attempt (never refuses). */
    loginFailuresPerAccount: RedisLimiter;
    signUpPerIp: RedisLimiter;
  };
  /** After `afterFailures` failures on an account, each attempt on it waits 100 ms, doubling up to `maxMs`. */
  loginDelay: { afterFailures: number; maxMs: number };
}

/** The first wait once an account has had too many failed log-ins; it doubles with each further failure. */
const FIRST_LOGIN_DELAY_MS = 100;

export class AccountsService {
  /** Verified against when the e-mail is unknown, so response time does not reveal which accounts exist. */
  private dummyHash: Promise<string>;
  /** Accounts change rarely; an ADMIN's change drops the account here at once (on every instance). */
  private readonly users = boundedCache<string, UserDoc>(50_000, 5_000);

  constructor(private readonly deps: AccountsDeps) {
    this.dummyHash = deps.hasher.hash("campus-live-timing-equalizer");
    deps.states.onChange(({ userId }) => {
      this.users.delete(userId);
      this.loader.clear(userId);
    });
  }

  async signUp(input: SignUpInput, meta: RequestMeta): Promise<AuthResult> {
    if (!SELF_SIGNUP_ROLES.includes(input.role)) {
      throw fail("FORBIDDEN", `Role ${input.role} cannot be chosen at sign-up`, "ROLE_NOT_ALLOWED");
    }
    await this.deps.limits.signUpPerIp.consume(meta.ip, "Too many sign-ups from this address");
    const email = normalizeEmail(input.email);
    if (await UserModel.exists({ email })) throw emailTaken();
    const passwordHash = await this.deps.hasher.hash(input.password);
    let user: UserDoc;
    try {
      const created = await UserModel.create({
        email,
        name: input.name.trim(),
        passwordHash,
        role: input.role,
        sex: input.sex ?? undefined,
      });
      user = created.toObject() as UserDoc;
    } catch (e) {
      if (isDuplicateKey(e)) throw emailTaken();
      throw e;
    }
    const id = user._id.toHexString();
    await this.deps.events.publish(
      "UserSignedUp",
      { userId: id, email, name: user.name, role: user.role as Role },
      { userId: id, role: user.role as Role },
    );
    return { ...this.deps.tokens.issue({ id, role: user.role as Role }), user };
  }

  /**
   * Failures are counted per address and per (account, address), and refuse only that address: a
   * guesser cannot lock the owner out. Failures on the account from everywhere only slow each attempt
   * on it (at most LOGIN_DELAY_MAX_MS, right password or not, so the wait tells nothing).
   */
  async logIn(emailInput: string, password: string, meta: RequestMeta): Promise<AuthResult> {
    const email = normalizeEmail(emailInput);
    const { limits } = this.deps;
    const fromHere = `${email}\n${meta.ip}`;
    // The attempt is counted before the password is checked, so parallel guesses cannot slip past a
    // check-then-record window; a success gives its point back.
    await limits.loginPerIp.consume(meta.ip, "Too many failed log-ins from this address");
    await limits.loginPerAccountIp.consume(fromHere, "Too many failed log-ins for this account from this address");
    let user: UserDoc | null;
    let ok: boolean;
    try {
      const delay = this.loginDelay(await limits.loginFailuresPerAccount.spent(email));
      if (delay > 0) await sleep(delay);
      user = await UserModel.findOne({ email }).lean<UserDoc>();
      ok = await this.deps.hasher.verify(user?.passwordHash ?? (await this.dummyHash), password);
    } catch (e) {
      // Not a failed log-in (MongoDB or Redis unreachable): the attempt does not count.
      await Promise.all([limits.loginPerIp.refund(meta.ip), limits.loginPerAccountIp.refund(fromHere)]);
      throw e;
    }
    if (!user || !ok) {
      await limits.loginFailuresPerAccount.penalize(email);
      throw fail("UNAUTHENTICATED", "Wrong e-mail or password", "INVALID_CREDENTIALS");
    }
    await Promise.all([limits.loginPerIp.refund(meta.ip), limits.loginPerAccountIp.reset(fromHere)]);
    // Said only to whoever knows the password.
    if (user.locked) throw accountLocked();
    return { ...this.deps.tokens.issue({ id: user._id.toHexString(), role: user.role as Role }), user };
  }

  private loginDelay(failures: number): number {
    const over = failures - this.deps.loginDelay.afterFailures;
    if (over < 0) return 0;
    return Math.min(this.deps.loginDelay.maxMs, FIRST_LOGIN_DELAY_MS * 2 ** Math.min(over, 20));
  }

  /** ADMIN: the account's tokens and sockets stop working, and it cannot log in. */
  lock(admin: AuthUser, userId: string): Promise<UserDoc> {
    return this.change(admin, userId, { locked: { $ne: true } }, { locked: true });
  }

  unlock(admin: AuthUser, userId: string): Promise<UserDoc> {
    return this.change(admin, userId, { locked: true }, { locked: false });
  }

  /** ADMIN: requests already signed in run with the new role at once (tokens carry no authority of their own). */
  setRole(admin: AuthUser, userId: string, role: Role): Promise<UserDoc> {
    return this.change(admin, userId, { role: { $ne: role } }, { role });
  }

  /**
   * Applies an ADMIN's change to another account when it changes something (`unlessAlready` matches
   * the accounts it would change), announces it (AccountChanged: every instance's caches and sockets
   * follow it) and answers the account as it now is. An ADMIN cannot lock or demote themselves.
   */
  private async change(admin: AuthUser, userId: string, unlessAlready: Record<string, unknown>, set: { role?: Role; locked?: boolean }): Promise<UserDoc> {
    if (userId === admin.id) throw fail("FORBIDDEN", "ADMINs cannot lock or change their own account", "OWN_ACCOUNT");
    if (!isObjectId(userId)) throw userNotFound();
    const changed = await UserModel.findOneAndUpdate({ _id: userId, ...unlessAlready }, { $set: set }, { new: true }).lean<UserDoc>();
    if (!changed) {
      const user = await UserModel.findById(userId).lean<UserDoc>();
      if (!user) throw userNotFound();
      return user; // already so: nothing changed, nothing to announce
    }
    const change: AccountChange = { userId, role: changed.role as Role, locked: changed.locked === true };
    this.deps.states.apply(change);
    await this.deps.events.publish("AccountChanged", change, actorOf(admin));
    return changed;
  }

  /**
   * Users by id, batched and cached (course owners, instructors, students shown beside the things
   * they did). Names never change and an ADMIN's change of a role drops the account here on every
   * instance, so ten minutes is exact in practice and keeps a busy dashboard from looking up its 20
   * names again every few seconds.
   */
  readonly loader = cachedLoader<UserDoc>(
    async (ids) => {
      const docs = await findByIds<UserDoc>(UserModel, ids);
      return new Map(docs.map((d) => [d._id.toHexString(), d]));
    },
    { max: 50_000, ttlMs: 600_000 },
  );

  /** The caller's account; served from a short-lived per-process cache, since every screen asks for it. */
  async me(caller: AuthUser | null): Promise<UserDoc | null> {
    if (!caller) return null;
    const cached = this.users.get(caller.id);
    if (cached) return cached;
    const user = await UserModel.findById(caller.id).lean<UserDoc>();
    if (user) this.users.set(caller.id, user);
    return user;
  }

  list(filter: { role?: Role }, first: number, after?: string | null): Promise<Page<UserDoc>> {
    return pageById<UserDoc>(UserModel, filter.role ? { role: filter.role } : {}, first, after);
  }

  /** Creates the ADMIN account from configuration; safe to run on every start of every instance. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    if (await this.createAccount({ email, password, name: "Administrator", role: "ADMIN" })) {
      this.deps.logger.info({ email: normalizeEmail(email) }, "admin account created");
    }
  }

  /**
   * Creates an account of any role for the system itself (bootstrap, seed data): no rate limit, no
   * role restriction. Returns false when the e-mail is already taken (idempotent).
   */
  async createAccount(input: SignUpInput): Promise<boolean> {
    const email = normalizeEmail(input.email);
    if (await UserModel.exists({ email })) return false;
    try {
      await UserModel.create({
        email,
        name: input.name,
        role: input.role,
        sex: input.sex ?? undefined,
        passwordHash: await this.deps.hasher.hash(input.password),
      });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false; // another instance created it first
      throw e;
    }
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const emailTaken = () => fail("CONFLICT", "An account with this e-mail already exists", "EMAIL_TAKEN");
const userNotFound = () => fail("NOT_FOUND", "No such account", "USER_NOT_FOUND");
const accountLocked = () => fail("UNAUTHENTICATED", "This account is locked", "ACCOUNT_LOCKED");

