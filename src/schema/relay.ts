// Relay connections: every list that can grow is paged with `first` (max 100) and an opaque `after`.
import { IsOptional, Max, MaxLength, Min } from "class-validator";
import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import { MAX_LIST_SIZE } from "../platform/graphqlLimits";

/** Also enforced before execution by the cost estimator (platform/graphqlLimits.ts). */
export const MAX_PAGE_SIZE = MAX_LIST_SIZE;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

/** Far more than any cursor this server hands out. */
const MAX_CURSOR_LENGTH = 200;

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = 20;

  @Field(() => String, { nullable: true, description: "endCursor of the previous page" })
  @IsOptional()
  @MaxLength(MAX_CURSOR_LENGTH)
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount?: number;
}

/** Builds the `<Name>Edge` and `<Name>Connection` object types for a node type. */
export function ConnectionType<T extends object>(node: ClassType<T>, name = node.name) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor: string;

    @Field(() => node)
    node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [Edge])
    edges: Edge[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionClass as ClassType<Connection<T>>;
}

export function toConnection<T, N>(
  page: { items: T[]; hasNextPage: boolean },
  cursorOf: (item: T) => string,
  toNode: (item: T) => N,
): Connection<N> {
  const edges = page.items.map((item) => ({ cursor: cursorOf(item), node: toNode(item) }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}
