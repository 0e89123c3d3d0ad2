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
  return schema;
}

/** The SDL committed as schema.graphql. */
export async function printAppSchema(): Promise<string> {
  return printSchema(await buildAppSchema()) + "\n";
}
