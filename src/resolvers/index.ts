import type { NonEmptyArray } from "type-graphql";
import { AccountsResolver } from "./accounts";
import { EventsResolver } from "./events";

export const resolvers: NonEmptyArray<Function> = [AccountsResolver, EventsResolver];
