// The account root fields (signUp, logIn, me; an ADMIN's users, lockAccount, unlockAccount, setRole):
// each carries its roles and calls the accounts service. User.email, sex and locked are resolved here,
// shown only to whom policies.ts allows, and to nobody in a result shared by many subscribers.
import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Allow, Public } from "../auth/authChecker";
import type { AppContext } from "../context";
import type { AuthResult } from "../domain/accounts";
import type { UserDoc } from "../models/user";
import { encodeCursor } from "../platform/pagination";
import { toConnection } from "../schema/relay";
import { AccountArgs, AuthPayload, LogInArgs, SetRoleArgs, SexEnum, SignUpInput, User, UserConnection, UsersArgs, toUser } from "../schema/user";
import { canSeeEmail, canSeeSex, seesEmailOf } from "../auth/policies";
import { isSharedExecution } from "../events/sharing";
import type { Sex } from "../models/user";

// The account just signed up or logged in to is the caller's own, though the request carried no token.
const toAuthPayload = (r: AuthResult): AuthPayload => ({ token: r.token, expiresAt: r.expiresAt, user: { ...toUser(r.user), ownAccount: true } });

/** The courses the caller is a member of, looked up once per request however many users it shows. */
const viewerCourses = new WeakMap<AppContext, Promise<Set<string>>>();
function coursesOfViewer(ctx: AppContext): Promise<Set<string>> {
  let courses = viewerCourses.get(ctx);
  if (!courses) viewerCourses.set(ctx, (courses = ctx.services.courseMembers.coursesOf(ctx.user!)));
  return courses;
}

@Resolver(() => User)
export class AccountsResolver {
  @Public()
  @Mutation(() => AuthPayload, { description: "Self sign-up as STUDENT or INSTRUCTOR" })
  async signUp(@Arg("input", () => SignUpInput, { description: "The new account" }) input: SignUpInput, @Ctx() ctx: AppContext): Promise<AuthPayload> {
    return toAuthPayload(await ctx.services.accounts.signUp(input, { ip: ctx.ip }));
  }

  @Public()
  @Mutation(() => AuthPayload, {
    description: "Failed attempts are limited per address and per account and address; many failures on an account slow each attempt on it (ACCOUNT_LOCKED for a locked account, with the right password)",
  })
  async logIn(@Args(() => LogInArgs) { email, password }: LogInArgs, @Ctx() ctx: AppContext): Promise<AuthPayload> {
    return toAuthPayload(await ctx.services.accounts.logIn(email, password, { ip: ctx.ip }));
  }

  @Public()
  @Query(() => User, { nullable: true, description: "The signed-in user; null when anonymous" })
  async me(@Ctx() ctx: AppContext): Promise<User | null> {
    const doc = await ctx.services.accounts.me(ctx.user);
    return doc ? toUser(doc) : null;
  }

  @Allow("ADMIN")
  @Query(() => UserConnection, { description: "All accounts, oldest first (ADMIN)" })
  async users(@Args(() => UsersArgs) { first, after, role }: UsersArgs, @Ctx() ctx: AppContext) {
    const page = await ctx.services.accounts.list({ role: role ?? undefined }, first, after);
    return toConnection(page, after, (u: UserDoc) => encodeCursor(u._id), toUser);
  }

  @Allow("ADMIN")
  @Mutation(() => User, { description: "Locks an account (ADMIN): its tokens and sockets stop working at once, and it cannot log in" })
  async lockAccount(@Args(() => AccountArgs) { userId }: AccountArgs, @Ctx() ctx: AppContext): Promise<User> {
    return toUser(await ctx.services.accounts.lock(ctx.user!, userId));
  }

  @Allow("ADMIN")
  @Mutation(() => User, { description: "Unlocks an account (ADMIN)" })
  async unlockAccount(@Args(() => AccountArgs) { userId }: AccountArgs, @Ctx() ctx: AppContext): Promise<User> {
    return toUser(await ctx.services.accounts.unlock(ctx.user!, userId));
  }

  @Allow("ADMIN")
  @Mutation(() => User, { description: "Changes an account's role (ADMIN): its requests run with the new role at once, with the tokens it has" })
  async setRole(@Args(() => SetRoleArgs) { userId, role }: SetRoleArgs, @Ctx() ctx: AppContext): Promise<User> {
    return toUser(await ctx.services.accounts.setRole(ctx.user!, userId, role));
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "A course's staff: seen by that course's members and ADMINs; null to anyone else and in live feeds",
  })
  email(@Root() user: User, @Ctx() ctx: AppContext): string | null | Promise<string | null> {
    // Answered synchronously when no lookup is needed (one's own account, ADMINs...): a promise per
    // field costs every query that selects it, `me` first of all.
    if (user.ownAccount) return user.email;
    const viewer = isSharedExecution(ctx) ? null : ctx.user;
    if (!viewer) return null;
    if (seesEmailOf(viewer, user.id)) return user.email;
    return emailForCourseMember(user, viewer, ctx);
  }

  @FieldResolver(() => SexEnum, { nullable: true, description: "Used by sex-restricted courses; seen only by the user and ADMINs (null to anyone else)" })
  sex(@Root() user: User, @Ctx() ctx: AppContext): Sex | null {
    const viewer = isSharedExecution(ctx) ? null : ctx.user;
    return user.ownAccount || canSeeSex(viewer, user.id) ? (user.sex ?? null) : null;
  }

  @FieldResolver(() => Boolean, { nullable: true, description: "Whether an ADMIN locked the account; seen by ADMINs only (null to anyone else)" })
  locked(@Root() user: User, @Ctx() ctx: AppContext): boolean | null {
    const viewer = isSharedExecution(ctx) ? null : ctx.user;
    return viewer?.role === "ADMIN" ? (user.locked ?? false) : null;
  }
}

/** A staff member's e-mail, for a viewer who may be a member of one of their courses. */
async function emailForCourseMember(user: User, viewer: NonNullable<AppContext["user"]>, ctx: AppContext): Promise<string | null> {
  const staffOf = await ctx.services.courseMembers.staffedBy(user.id);
  const courses = staffOf.length ? await coursesOfViewer(ctx) : new Set<string>();
  return canSeeEmail(viewer, user.id, { staffOf, viewerCourses: courses }) ? user.email : null;
}
