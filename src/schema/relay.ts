// Relay connections: every list that can grow is paged with `first` (max 100) and an opaque `after`.
import { IsOptional, Max, MaxLength, Min } from "class-validator";
import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";

/** The largest page (`first`) of any list; also enforced before execution by the cost estimator (server/graphqlLimits.ts). */
export const MAX_PAGE_SIZE = 100;

@ObjectType({ description: "Where a page sits in its list. Paging is forward only: pass endCursor as `after` for the next page" })
export class PageInfo {
  @Field({ description: "More items follow this page" })
  hasNextPage: boolean;

  @Field({ description: "Items precede this page: true when it was asked for with `after`" })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: "The first edge's cursor; null on an empty page" })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: "The last edge's cursor (the next page's `after`); null on an empty page" })
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
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor` })
  class Edge {
    @Field({ description: "Opaque position of this item: pass it as `after` to continue after it" })
    cursor: string;

    @Field(() => node, { description: `The ${name}` })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay connection: \`first\` at most ${MAX_PAGE_SIZE}, then \`after\`)` })
  class ConnectionClass {
    @Field(() => [Edge], { description: "The items of this page, in list order" })
    edges: Edge[];

    @Field(() => PageInfo, { description: "Whether more items follow, and the cursors to continue from" })
    pageInfo: PageInfo;
  }
  return ConnectionClass as ClassType<Connection<T>>;
}

/** Forward-only paging: a page asked for with `after` has items before it; one without starts the list. */
export function pageInfoOf(edges: readonly { cursor: string }[], hasNextPage: boolean, after: string | null | undefined): PageInfo {
  return {
    hasNextPage,
    hasPreviousPage: Boolean(after),
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
}

export function toConnection<T, N>(
  page: { items: T[]; hasNextPage: boolean },
  after: string | null | undefined,
  cursorOf: (item: T) => string,
  toNode: (item: T) => N,
): Connection<N> {
  const edges = page.items.map((item) => ({ cursor: cursorOf(item), node: toNode(item) }));
  return { edges, pageInfo: pageInfoOf(edges, page.hasNextPage, after) };
}
