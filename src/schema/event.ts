import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";
import type { Role } from "../models/user";
import { RoleEnum } from "./user";

@ObjectType({ description: "Who caused a domain event" })
export class EventActor {
  @Field(() => ID)
  userId: string;

  @Field(() => RoleEnum)
  role: Role;
}

@ObjectType({ description: "One entry of the audit feed: a state change somewhere in the product" })
export class DomainEvent {
  @Field(() => ID)
  id: string;

  @Field({ description: "Event name from the catalogue, e.g. UserSignedUp" })
  name: string;

  @Field()
  time: Date;

  @Field(() => EventActor, { nullable: true, description: "null when the system acted (jobs, bootstrap)" })
  actor: EventActor | null;

  @Field(() => GraphQLJSONObject)
  payload: Record<string, unknown>;
}
