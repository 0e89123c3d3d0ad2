// A reference point for the `me` benchmark: the smallest Apollo Server 5 that answers the same query
// with a hard-coded result (no auth, no database, no type-graphql). What it reaches against the bare
// Node server is the ceiling the framework's request pipeline leaves for everything else.
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";

const me = JSON.parse(process.env.ME_JSON ?? "null");
const server = new ApolloServer({
  typeDefs: "type Query { me: User } type User { id: ID! email: String! name: String! role: String! }",
  resolvers: { Query: { me: () => me } },
  plugins: [ApolloServerPluginCacheControlDisabled()],
});

startStandaloneServer(server, { listen: { port: Number(process.env.PORT ?? 0), host: "127.0.0.1" } }).then(({ url }) => {
  console.log(JSON.stringify({ msg: "listening", port: Number(new URL(url).port) }));
});
