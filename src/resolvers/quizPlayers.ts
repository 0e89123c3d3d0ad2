// QuizPlayer.id: a player's user id, shown to that player and ADMINs only (policies.ts), and to nobody
// in a result shared by many subscribers (a leaderboard push).
import { Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import { canSeePlayerId } from "../auth/policies";
import type { AppContext } from "../context";
import { isSharedExecution } from "../events/sharing";
import { QuizPlayer } from "../schema/quiz";

@Resolver(() => QuizPlayer)
export class QuizPlayerResolver {
  @FieldResolver(() => ID, { nullable: true, description: "The player's user id: seen by that player and ADMINs; null to other players and in live feeds" })
  id(@Root() player: QuizPlayer, @Ctx() ctx: AppContext): string | null {
    const viewer = isSharedExecution(ctx) ? null : ctx.user;
    return canSeePlayerId(viewer, player.id) ? player.id : null;
  }
}
