// Accounts: sign-up, log-in, the current user, and the ADMIN bootstrap. No GraphQL here.
import { boundedCache } from "../platform/cache";
import { mongo } from "mongoose";
import type { EventBus } from "../events/bus";
import type { PasswordHasher } from "../auth/passwords";
import type { AuthUser, IssuedToken, TokenService } from "../auth/tokens";
import { SELF_SIGNUP_ROLES, UserModel, type Role, type Sex, type UserDoc } from "../models/user";
import { fail } from "../platform/errors";
import type { Logger } from "../platform/logger";
import type { RedisLimiter } from "../platform/rateLimit";
import { cachedLoader } from "../platform/loader";
import { findByIds } from "../platform/mongo";
import { pageById, type Page } from "../platform/pagination";

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
  limits: { loginPerIp: RedisLimiter; loginPerAccount: RedisLimiter; signUpPerIp: RedisLimiter };
}

export class AccountsService {
  /** Verified against when the e-mail is unknown, so response time does not reveal which accounts exist. */
  private dummyHash: Promise<string>;
  /** Accounts change rarely (nothing edits them yet); a few seconds of staleness bounds any future edit. */
  private readonly users = boundedCache<string, UserDoc>(50_000, 5_000);

  constructor(private readonly deps: AccountsDeps) {
    this.dummyHash = deps.hasher.hash("campus-live-timing-equalizer");
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

  async logIn(emailInput: string, password: string, meta: RequestMeta): Promise<AuthResult> {
    const email = normalizeEmail(emailInput);
    // Every attempt counts, so parallel guessing cannot slip past a check-then-record window.
    await this.deps.limits.loginPerIp.consume(meta.ip, "Too many log-in attempts from this address");
    await this.deps.limits.loginPerAccount.consume(email, "Too many log-in attempts for this account");
    const user = await UserModel.findOne({ email }).lean<UserDoc>();
    const ok = await this.deps.hasher.verify(user?.passwordHash ?? (await this.dummyHash), password);
    if (!user || !ok) throw fail("UNAUTHENTICATED", "Wrong e-mail or password", "INVALID_CREDENTIALS");
    await this.deps.limits.loginPerAccount.reset(email);
    return { ...this.deps.tokens.issue({ id: user._id.toHexString(), role: user.role as Role }), user };
  }

  /**
   * Users by id, batched and cached (course owners, instructors, students shown beside the things
   * they did). No operation changes a user's name or role, so ten minutes is exact in practice and
   * keeps a busy dashboard from looking up its 20 names again every few seconds.
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

export function isDuplicateKey(e: unknown): boolean {
  return e instanceof mongo.MongoServerError && e.code === 11000;
}
