// Locked by default, proven over the wire: every operation in schema.graphql, called anonymously
// with well-typed arguments, answers UNAUTHENTICATED, except the few that are public on purpose.
// A new operation needs no entry here to be checked; a new public one must be listed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { rawPost } from "../support/client";
import { startServer, stopAll, type TestServer } from "../support/server";

const PUBLIC = new Set(["Mutation.signUp", "Mutation.logIn", "Query.me"]);
const schema = buildSchema(readFileSync(join(__dirname, "..", "..", "schema.graphql"), "utf8"));

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(stopAll);

/** A value of the right type (required input fields only), so only authorization can refuse it. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, sample(f.type)]),
    );
  }
  if (isScalarType(type)) {
    const byName: Record<string, unknown> = {
      ID: "0123456789abcdef01234567",
      String: "x",
      Int: 1,
      Float: 1,
      Boolean: true,
      DateTimeISO: "2030-01-01T00:00:00.000Z",
      JSONObject: {},
    };
    if (!(type.name in byName)) throw new Error(`no sample for scalar ${type.name}`);
    return byName[type.name];
  }
  throw new Error(`no sample for ${String(type)}`);
}

function operation(kind: "query" | "mutation" | "subscription", field: GraphQLField<unknown, unknown>) {
  const vars = field.args.map((a) => `$${a.name}: ${String(a.type)}`);
  const args = field.args.map((a) => `${a.name}: $${a.name}`);
  const leaf = getNamedType(field.type);
  const selection = isScalarType(leaf) || isEnumType(leaf) ? "" : " { __typename }";
  return {
    query: `${kind} Probe${vars.length ? `(${vars.join(", ")})` : ""} { ${field.name}${args.length ? `(${args.join(", ")})` : ""}${selection} }`,
    variables: Object.fromEntries(field.args.map((a) => [a.name, sample(a.type)])),
  };
}

const rootFields = (type: GraphQLObjectType | null | undefined, kind: "query" | "mutation" | "subscription") =>
  Object.values(type?.getFields() ?? {}).map((f) => ({ name: `${type!.name}.${f.name}`, kind, field: f }));

const httpOps = [...rootFields(schema.getQueryType(), "query"), ...rootFields(schema.getMutationType(), "mutation")];
const wsOps = rootFields(schema.getSubscriptionType(), "subscription");

it("covers every operation of the schema", () => {
  expect(httpOps.length + wsOps.length).toBeGreaterThanOrEqual(24);
  for (const p of PUBLIC) expect(httpOps.map((o) => o.name)).toContain(p);
});

it.each(httpOps.filter((o) => !PUBLIC.has(o.name)).map((o) => [o.name, o] as const))(
  "%s refuses anonymous callers",
  async (_name, op) => {
    const r = await rawPost(server, JSON.stringify(operation(op.kind, op.field)));
    expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  },
);

it.each(wsOps.map((o) => [o.name, o] as const))("%s refuses anonymous sockets", async (_name, op) => {
  const client = createClient({ url: server.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  const errors = await new Promise<unknown[]>((resolve) => {
    const payload = operation(op.kind, op.field);
    client.subscribe(payload, {
      next: (v) => resolve((v.errors as unknown[]) ?? []),
      error: (e) => resolve(Array.isArray(e) ? e : [e]),
      complete: () => resolve([]),
    });
  });
  await client.dispose();
  expect((errors[0] as { extensions?: { code?: string } })?.extensions?.code).toBe("UNAUTHENTICATED");
});
