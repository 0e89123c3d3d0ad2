// Hostile requests for the fuzz test, generated from the schema the server introspects: every
// generator is driven by a seeded PRNG, so a failing run is replayed with its FUZZ_SEED.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";

export type Rng = () => number;

/** mulberry32: small, fast, good enough to spread cases; the same seed gives the same requests. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** What the fuzzer sends over HTTP and what it must get back. */
export interface HttpCase {
  category: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Root fields of a mutation in the body: the request must be refused and change nothing. */
  mutation?: boolean;
}

export type Kind = "query" | "mutation" | "subscription";
export interface RootField {
  kind: Kind;
  field: GraphQLField<unknown, unknown>;
}

export function rootFields(schema: GraphQLSchema): RootField[] {
  const of = (t: GraphQLObjectType | null | undefined, kind: Kind) => Object.values(t?.getFields() ?? {}).map((field) => ({ kind, field }));
  return [...of(schema.getQueryType(), "query"), ...of(schema.getMutationType(), "mutation"), ...of(schema.getSubscriptionType(), "subscription")];
}

/**
 * Strings that mean something to MongoDB, Redis, Lua, JavaScript, shells or parsers: each goes into
 * every String and ID argument of an operation, as the string it is (operators must stay data).
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '{"$gt":""}',
  '{"$ne":null}',
  '{"$where":"sleep(1000)"}',
  '{"$regex":".*"}',
  '{"$oid":"000000000000000000000000"}',
  "$gt",
  "$where",
  "this.password.length > 0",
  "[$ne]=1",
  ".*",
  "(a+)+$",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
  "__proto__",
  "constructor",
  "prototype",
  "000000000000000000000000",
  "ffffffffffffffffffffffff",
  "0123456789abcdef0123456",
  "ObjectId('000000000000000000000000')",
  "'; return true; var x='",
  "\"]); redis.call('FLUSHALL'); --",
  "\r\n*1\r\n$8\r\nFLUSHALL\r\n",
  "a\u0000b",
  "\ud800",
  "\u202e\u0041dmin",
  "../../../../etc/passwd",
  "<script>alert(1)</script>",
  "${process.exit(1)}",
  "%s%s%s%n",
  "-1",
  "1e309",
  "NaN",
  "",
  " ",
];

/** A JSON value of the wrong kind for a variable of `type` (coercion must refuse it). */
export function wrongValue(r: Rng, type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return r() < 0.25 ? null : wrongValue(r, type.ofType);
  if (isListType(type)) return pick(r, [[[wrongValue(r, type.ofType)]], [wrongValue(r, type.ofType)], { length: 1, 0: "x" }, [null, wrongValue(r, type.ofType)]]);
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return pick(r, [
      "object as a string",
      [],
      42,
      { notAField: 1 },
      required.length ? {} : { notAField: { $gt: "" } },
      Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, wrongValue(r, f.type)])),
    ]);
  }
  if (isEnumType(type)) return pick(r, ["NOT_A_VALUE", type.getValues()[0].value.toLowerCase(), 1, { $in: type.getValues().map((v) => v.value) }, [type.getValues()[0].value, "X"]]);
  if (isScalarType(type)) {
    switch (type.name) {
      case "Int":
        return pick(r, ["1", 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, true, [], { $gt: 0 }, "NaN", ""]);
      case "Float":
        return pick(r, ["1.5", true, {}, [], "Infinity", { $gt: 0 }]);
      case "Boolean":
        return pick(r, ["true", 1, 0, {}, [], "false", { $ne: false }]);
      case "String":
      case "ID":
        return pick<unknown>(r, [{ $gt: "" }, { $ne: null }, [{ $ne: null }], true, 1.5, { toString: "x" }, JSON.parse('{"__proto__":{"admin":true}}')]);
      case "DateTimeISO":
        return pick(r, ["yesterday", "2024-13-45T99:99:99Z", 1e20, "0000-00-00", "+275760-09-13T00:00:00.001Z", "-271821-04-20T00:00:00.000Z", { $gt: "" }, true, "2024-02-30T00:00:00Z"]);
      default:
        return { $gt: "" };
    }
  }
  return { $gt: "" };
}

/** A well-typed value; String and ID leaves come from `leaf` (an id, a hostile string, a huge string). */
export function typedValue(r: Rng, type: GraphQLInputType, leaf: (name: string, scalar: string) => unknown, name = ""): unknown {
  if (isNonNullType(type)) return typedValue(r, type.ofType, leaf, name);
  if (isListType(type)) return Array.from({ length: int(r, 1, 2) }, () => typedValue(r, type.ofType, leaf, name));
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, typedValue(r, f.type, leaf, f.name)]));
  }
  if (isEnumType(type)) return pick(r, type.getValues()).value;
  if (isScalarType(type)) {
    switch (type.name) {
      case "Int":
        return name === "first" ? int(r, 1, 100) : int(r, 0, 5);
      case "Float":
        return r() * 10;
      case "Boolean":
        return r() < 0.5;
      case "DateTimeISO":
        return new Date(Date.now() + int(r, -30, 30) * 86_400_000).toISOString();
      default:
        return leaf(name, type.name);
    }
  }
  throw new Error(`no value for ${String(type)}`);
}

/** A selection for an output type: `{ __typename }`, or a few scalar fields picked at random. */
export function selection(r: Rng, field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (!isObjectType(named)) return "";
  const scalars = Object.values(named.getFields())
    .filter((f) => f.args.length === 0 && !isObjectType(getNamedType(f.type)) && (isScalarType(getNamedType(f.type)) || isEnumType(getNamedType(f.type))))
    .map((f) => f.name);
  const chosen = scalars.filter(() => r() < 0.4);
  return ` { __typename ${chosen.join(" ")} }`;
}

/** `kind Fuzz($a: T, ...) { field(a: $a, ...) { ... } }` with the given variable types. */
export function operation(r: Rng, root: RootField, types: Record<string, string> = {}): string {
  const args = root.field.args;
  const vars = args.map((a) => `$${a.name}: ${types[a.name] ?? String(a.type)}`);
  const call = args.map((a) => `${a.name}: $${a.name}`);
  return `${root.kind} Fuzz${vars.length ? `(${vars.join(", ")})` : ""} { ${root.field.name}${call.length ? `(${call.join(", ")})` : ""}${selection(r, root.field)} }`;
}

/** A GraphQL literal for a JSON value (strings escaped as JSON, which GraphQL string syntax accepts). */
export function literal(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "1e999";
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : "_bad"}: ${literal(x)}`).join(", ")}}`;
}

/** The same call with its arguments written inline (enum values unquoted where they are enums). */
export function inlineOperation(r: Rng, root: RootField, values: Record<string, unknown>): string {
  const call = root.field.args.map((a) => `${a.name}: ${inlineValue(a.type, values[a.name])}`);
  return `${root.kind} { ${root.field.name}${call.length ? `(${call.join(", ")})` : ""}${selection(r, root.field)} }`;
}

function inlineValue(type: GraphQLInputType, v: unknown): string {
  if (isNonNullType(type)) return inlineValue(type.ofType, v);
  if (isListType(type) && Array.isArray(v)) return `[${v.map((x) => inlineValue(type.ofType, x)).join(", ")}]`;
  if (isInputObjectType(type) && v && typeof v === "object" && !Array.isArray(v)) {
    const fields = type.getFields();
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${fields[k] ? inlineValue(fields[k].type, x) : literal(x)}`)
      .join(", ")}}`;
  }
  if (isEnumType(type) && typeof v === "string" && /^[_A-Za-z][_0-9A-Za-z]*$/.test(v)) return v;
  return literal(v);
}

export const json = (body: unknown) => JSON.stringify(body);
