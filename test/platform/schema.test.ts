import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  specifiedScalarTypes,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { printAppSchema } from "../../src/server/schema";

const ROOT = join(__dirname, "..", "..");
const committed = readFileSync(join(ROOT, "schema.graphql"), "utf8");

describe("schema.graphql", () => {
  it("matches the schema emitted from the code (run `npm run schema` when this fails)", async () => {
    expect(await printAppSchema()).toBe(committed);
  });

  it("describes every type, field, argument, input field and enum value (Sandbox's docs panel)", () => {
    expect(undescribed(buildSchema(committed))).toEqual([]);
  });

  it("the description check names what it finds undescribed", () => {
    const sdl = `
      type Query { a(x: Int): E, """B""" b: In }
      enum E { V, """W""" W }
      """described""" scalar In
      input Filter { f: Int }`;
    const expected = ["type Query", "field Query.a", "argument Query.a(x)", "type E", "enum value E.V", "type Filter", "input field Filter.f"];
    expect(undescribed(buildSchema(sdl)).sort()).toEqual(expected.sort());
  });
});

/** Everything in the schema without a description, but the built-in scalars and introspection types. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const has = (d: string | null | undefined) => typeof d === "string" && d.trim() !== "";
  const builtIn = new Set(specifiedScalarTypes.map((t) => t.name));
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || builtIn.has(type.name)) continue;
    if (!has(type.description)) missing.push(`type ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!has(field.description)) missing.push(`field ${type.name}.${field.name}`);
        for (const arg of field.args) if (!has(arg.description)) missing.push(`argument ${type.name}.${field.name}(${arg.name})`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!has(field.description)) missing.push(`input field ${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (!has(value.description)) missing.push(`enum value ${type.name}.${value.name}`);
    }
  }
  return missing;
}

// docs/screens.md names, in backticks, only what the schema has: root operations (`courses`, or
// `courses(filter, first)` with some of their arguments), types (`Course`), their fields
// (`Course.quizzes`, with arguments as for operations) and enum values (`QuizStatus.OPEN`).
describe("docs/screens.md", () => {
  const doc = readFileSync(join(ROOT, "docs", "screens.md"), "utf8");
  const schema = buildSchema(committed);
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t): t is GraphQLObjectType => !!t);
  const named = [...doc.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);

  /** Why `name` does not resolve in the schema, or null when it does. */
  function problem(name: string): string | null {
    const m = /^([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?(?:\(([\w, ]*)\))?$/.exec(name);
    if (!m) return "not a schema name";
    const [, head, member, args] = m;
    const argsOf = (field: GraphQLField<unknown, unknown>) => {
      const unknown = (args ?? "").split(",").map((a) => a.trim()).filter((a) => a && !field.args.some((x) => x.name === a));
      return unknown.length ? `no argument ${unknown.join(", ")}` : null;
    };
    if (!member) {
      const field = roots.map((r) => r.getFields()[head]).find(Boolean);
      if (field) return argsOf(field);
      return schema.getType(head) && args === undefined ? null : "no such operation or type";
    }
    const type = schema.getType(head);
    if (isObjectType(type) || isInterfaceType(type)) return type.getFields()[member] ? argsOf(type.getFields()[member]) : "no such field";
    if (isInputObjectType(type)) return type.getFields()[member] && args === undefined ? null : "no such input field";
    if (isEnumType(type)) return type.getValue(member) && args === undefined ? null : "no such enum value";
    return "no such type";
  }

  it("names only operations, types, fields and enum values that exist in schema.graphql", () => {
    expect(named.length).toBeGreaterThan(50);
    expect(named.flatMap((n) => (problem(n) ? [`${n}: ${problem(n)}`] : []))).toEqual([]);
  });

  it("puts every query, mutation and subscription on some screen", () => {
    const mentioned = new Set(named.map((n) => n.replace(/\(.*$/, "").replace(/^(Query|Mutation|Subscription)\./, "")));
    const absent = roots.flatMap((r) => Object.keys(r.getFields()).filter((f) => !mentioned.has(f)).map((f) => `${r.name}.${f}`));
    expect(absent).toEqual([]);
  });
});
