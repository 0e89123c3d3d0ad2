import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Allow, Public } from "../auth/authChecker";
import type { AppContext } from "../context";
import type { AuthResult } from "../domain/accounts";
import type { UserDoc } from "../models/user";
import { encodeCursor } from "../platform/pagination";
import { ConnectionArgs, toConnection } from "../schema/relay";
import { AuthPayload, RoleEnum, SexEnum, SignUpInput, User, UserConnection, toUser } from "../schema/user";
import { canSeeSex } from "../auth/policies";
import { isSharedExecution } from "../platform/sharedExecution";
import type { Role, Sex } from "../models/user";

// The account just signed up or logged in to is the caller's own, though the request carried no token.
const toAuthPayload = (r: AuthResult): AuthPayload => ({ token: r.token, expiresAt: r.expiresAt, user: { ...toUser(r.user), ownAccount: true } });

@Resolver(() => User)
export class AccountsResolver {
  @Public()
  @Mutation(() => AuthPayload, { description: "Self sign-up as STUDENT or INSTRUCTOR" })
  async signUp(@Arg("input", () => SignUpInput) input: SignUpInput, @Ctx() ctx: AppContext): Promise<AuthPayload> {
    return toAuthPayload(await ctx.services.accounts.signUp(input, { ip: ctx.ip }));
  }

  @Public()
  @Mutation(() => AuthPayload, { description: "Rate-limited per address and per account" })
  async logIn(
    @Arg("email") email: string,
    @Arg("password") password: string,
    @Ctx() ctx: AppContext,
  ): Promise<AuthPayload> {
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
  async users(
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Arg("role", () => RoleEnum, { nullable: true }) role: Role | null,
    @Ctx() ctx: AppContext,
  ) {
    const page = await ctx.services.accounts.list({ role: role ?? undefined }, first, after);
    return toConnection(page, (u: UserDoc) => encodeCursor(u._id), toUser);
  }

  @FieldResolver(() => SexEnum, { nullable: true, description: "Used by sex-restricted courses; seen only by the user and ADMINs (null to anyone else)" })
  sex(@Root() user: User, @Ctx() ctx: AppContext): Sex | null {
    const viewer = isSharedExecution(ctx) ? null : ctx.user;
    return user.ownAccount || canSeeSex(viewer, user.id) ? (user.sex ?? null) : null;
  }
}
