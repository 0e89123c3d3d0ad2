// The API's audit-feed type: one domain event as the domainEvents subscription shows it.
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";
import type { Role } from "../models/user";
import { RoleEnum } from "./user";

@ObjectType({ description: "Who caused a domain event" })
export class EventActor {
  @Field(() => ID, { description: "The account that acted" })
  userId: string;

  @Field(() => RoleEnum, { description: "Its role when it acted" })
  role: Role;
}

@ObjectType({ description: "One entry of the audit feed: a state change somewhere in the product" })
export class DomainEvent {
  @Field(() => ID, { description: "Unique event id" })
  id: string;

  @Field({ description: "Event name from the catalogue, e.g. UserSignedUp" })
  name: string;

  @Field({ description: "When it happened (server time)" })
  time: Date;

  @Field(() => EventActor, { nullable: true, description: "null when the system acted (jobs, bootstrap)" })
  actor: EventActor | null;

  @Field(() => GraphQLJSONObject, { description: "The event's data; its fields depend on the name (ids of what changed, and the new state)" })
  payload: object;
}
