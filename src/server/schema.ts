// The GraphQL schema assembled from the resolvers (src/resolvers) and their types (src/schema): built
// with the auth checker, it refuses to build while any operation lacks @Allow/@Public.
import { printSchema, type GraphQLSchema } from "graphql";
import { buildSchema, type PubSub } from "type-graphql";
import { assertEveryOperationAuthorized, authChecker } from "../auth/authChecker";
import { resolvers } from "../resolvers";

/** Used only when the schema is built to be printed (no server, so nothing can subscribe). */
const printOnlyPubSub: PubSub = {
  publish() {
    throw new Error("schema built for printing only");
  },
  subscribe() {
    throw new Error("schema built for printing only");
  },
};

export async function buildAppSchema(pubSub: PubSub = printOnlyPubSub): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    authChecker,
    authMode: "error",
    pubSub,
    validate: { forbidUnknownValues: false },
  });
  assertEveryOperationAuthorized();
  describeRootTypes(schema);
  return schema;
}

/** type-graphql has no decorator for the root types: their descriptions (Sandbox's first page) are set here. */
function describeRootTypes(schema: GraphQLSchema): void {
  const roots = [
    [schema.getQueryType(), "Reads. Send `Authorization: Bearer <token>` (from signUp or logIn); every field says who may call it"],
    [schema.getMutationType(), "Changes. Each publishes a domain event; refusals carry extensions.code and, for domain rules, extensions.reason"],
    [schema.getSubscriptionType(), "Live feeds over graphql-ws on /graphql (token in connectionParams.authorization); snapshot types send the current state first"],
  ] as const;
  for (const [type, description] of roots) if (type) type.description = description;
}

/** The SDL committed as schema.graphql. */
export async function printAppSchema(): Promise<string> {
  return printSchema(await buildAppSchema()) + "\n";
}
