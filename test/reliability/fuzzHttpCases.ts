// The HTTP cases of the fuzz run, by kind of abuse: broken JSON, content types and methods, wrong
// argument types, huge inputs, deep nesting, aliases and repetition, batches, operator strings.
import { getNamedType, isInputObjectType, isListType, isNonNullType } from "graphql";
import { HOSTILE_STRINGS, inlineOperation, int, json, operation, pick, typedValue, wrongValue, type Rng } from "./fuzzCases";
import { authHeader, BODY_LIMIT, hostileVars, httpRoots, JSON_HEADERS, NOWHERE, post, queries, stringLeaves, validVars, type Case, type Fuzz } from "./fuzzSupport";
import type { Persona } from "./world";

export function brokenJson({ world, roots }: Fuzz, r: Rng, n: number): Case[] {
  const bases = [
    ...queries(roots).map((q) => json({ query: operation(r, q), variables: validVars(world, r, q) })),
    ...httpRoots(roots)
      .filter((x) => x.kind === "mutation")
      .map((m) => json({ query: operation(r, m), variables: validVars(world, r, m, () => NOWHERE) })),
  ];
  const shapes = [
    "",
    " ",
    "null",
    "[]",
    "{}",
    '"query"',
    "123",
    "true",
    '{"query":1}',
    '{"query":null}',
    '{"query":""}',
    '{"query":"{"}',
    '{"query":"{ me { id } }","variables":"[]"}',
    '{"query":"{ me { id } }","variables":[1]}',
    '{"query":"{ me { id } }","variables":"{\\"a\\":1}"}',
    '{"query":"{ me { id } }","operationName":5}',
    '{"query":"{ me { id } }","operationName":{"$gt":""}}',
    '{"query":"{ me { id } }","extensions":"x"}',
    '{"query":"{ me { id } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
    '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}}',
    '{"query":"{ me { id } }","query":"mutation { logIn(email: \\"a\\", password: \\"b\\") { token } }"}',
    '{"query":{"$gt":""}}',
    '{"__proto__":{"query":"{ me { id } }"}}',
    '{"query":"{ me { id } }","variables":{"__proto__":{"isAdmin":true}}}',
    "\ufeff" + json({ query: "{ me { id } }" }),
    json({ query: "{ me { id } }" }) + "garbage",
    "{'query': '{ me { id } }'}",
    '{"query":"{ me { id } }",}',
    "[".repeat(50_000) + "]".repeat(50_000),
    '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000),
    '{"query":"{ me { id } }","variables":' + '{"a":'.repeat(5_000) + "1" + "}".repeat(5_000) + "}",
  ];
  const cases: Case[] = shapes.map((s) => post(world, "broken JSON", s, r));
  while (cases.length < n) {
    const base = pick(r, bases);
    const at = int(r, 0, base.length - 1);
    const op = int(r, 0, 5);
    let body: string | Buffer;
    if (op === 0) body = base.slice(0, at);
    else if (op === 1) body = base.slice(0, at) + pick(r, ['"', "{", "}", "[", "]", ",", ":", "\\", "\u0000", "\n"]) + base.slice(at);
    else if (op === 2) body = base.slice(0, at) + base.slice(at + 1);
    else if (op === 3) body = Buffer.from(Array.from({ length: int(r, 1, 300) }, () => int(r, 0, 255)));
    else if (op === 4) body = Buffer.concat([Buffer.from(base.slice(0, at)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(base.slice(at))]);
    else body = base.replace(/"/g, () => (r() < 0.1 ? "'" : '"'));
    const c = post(world, "broken JSON", typeof body === "string" ? body : "", r);
    if (typeof body !== "string") c.body = body;
    c.mutation = base.includes('"query":"mutation');
    cases.push(c);
  }
  return cases;
}

export function contentTypesAndMethods({ world }: Fuzz, r: Rng, n: number): Case[] {
  const body = json({ query: "query { me { id } }" });
  const mutation = json({ query: `mutation { enroll(courseId: "${NOWHERE}") { id } }` });
  const types = [
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/graphql",
    "application/xml",
    "application/json; charset=latin1",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/json, text/plain",
    "application/graphql-response+json",
    "application/jsonp",
    "*/*",
    "",
  ];
  const getQueries = [
    "?query=" + encodeURIComponent("{ me { id } }"),
    "?query=" + encodeURIComponent(`mutation { enroll(courseId: "${NOWHERE}") { id } }`),
    "?query=" + encodeURIComponent("{ me { id } }") + "&variables=not-json",
    "?query=" + encodeURIComponent("{ me { id } }") + "&extensions=" + encodeURIComponent('{"persistedQuery":1}'),
    "?query=" + encodeURIComponent("{ me { id } }") + "&query=" + encodeURIComponent("{ __typename }"),
    "?query[$gt]=",
    "?variables=%7B%22a%22%3A1%7D",
    "?query=" + "%7B".repeat(2000),
    "?%%%",
    "",
  ];
  const paths = ["/graphql", "/graphql/", "/GRAPHQL", "//graphql", "/graphql%00", "/graphql/../graphql", "/healthz", "/readyz", "/metrics", "/nope", "/", "/" + "a".repeat(4000)];
  const cases: Case[] = [];
  while (cases.length < n) {
    const x = int(r, 0, 5);
    const category = "content types and methods";
    if (x <= 1) {
      const ct = pick(r, types);
      const b = r() < 0.3 ? mutation : body;
      cases.push({ category, method: "POST", path: "/graphql", headers: { ...(ct ? { "content-type": ct } : {}), ...authHeader(world, r) }, body: b, mutation: b === mutation });
    } else if (x === 2) {
      const preflight: Record<string, string> = r() < 0.5 ? { "apollo-require-preflight": "true" } : {};
      const q = pick(r, getQueries);
      cases.push({ category, method: "GET", path: "/graphql" + q, headers: { ...preflight, ...authHeader(world, r) }, mutation: q.includes("mutation") });
    } else if (x === 3) {
      const b = r() < 0.5 ? mutation : body;
      cases.push({ category, method: pick(r, ["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND"]), path: "/graphql", headers: { ...JSON_HEADERS, ...authHeader(world, r) }, body: b, mutation: b === mutation });
    } else {
      const method = pick(r, ["GET", "POST"]);
      cases.push({ category, method, path: pick(r, paths), headers: { ...JSON_HEADERS, ...authHeader(world, r) }, ...(method === "POST" ? { body: mutation } : {}), mutation: method === "POST" });
    }
  }
  return cases;
}

/** Documents from the schema with a wrong argument: value, literal, declared type, missing, unknown. */
export function wrongTypes({ world, roots }: Fuzz, r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  const all = roots;
  while (cases.length < n) {
    const root = pick(r, all);
    const args = root.field.args;
    const vars = validVars(world, r, root, () => NOWHERE);
    const variant = int(r, 0, 6);
    let query: string;
    let variables: Record<string, unknown> = vars;
    if (variant <= 2 && args.length) {
      const a = pick(r, args);
      variables = { ...vars, [a.name]: wrongValue(r, a.type) };
      query = variant === 2 ? inlineOperation(r, root, variables) : operation(r, root);
      if (variant === 2) variables = {};
    } else if (variant === 3 && args.length) {
      const a = pick(r, args);
      const wrong = pick(r, ["String", "Int!", "[ID!]!", "Boolean", "Float", "CreateCourseInput", "Role", "[[String]]", "NoSuchType", "ID!"]);
      query = operation(r, root, { [a.name]: wrong });
    } else if (variant === 4 && args.some((a) => isNonNullType(a.type))) {
      const a = pick(r, args.filter((x) => isNonNullType(x.type)));
      delete variables[a.name];
      query = operation(r, root);
    } else if (variant === 5) {
      query = operation(r, root).replace(/\{ (\w+)/, (_m, f) => `{ ${f}(${pick(r, ["notAnArg", "where", "$gt", "filter_"])}: ${pick(r, ['"x"', "1", '{ a: 1 }', "[1]", "null"])}`);
      if (!root.field.args.length) query = query.replace(/\{ (\w+)\(([^)]*)\)/, "{ $1($2)");
    } else {
      const junk = pick(r, [
        `${root.kind} { ${root.field.name} { notAField } }`,
        `${root.kind} { ${root.field.name} { __typename ...F } }`,
        `${root.kind} { ${root.field.name} { ... on NoSuchType { id } } }`,
        `${root.kind} { notAField }`,
        `${root.kind} { ${root.field.name}(id: $undefinedVariable) { __typename } }`,
        `${root.kind} Q($unused: Int) { __typename }`,
        `query A { __typename } query A { __typename }`,
        `query A { __typename } mutation B { __typename }`,
        `fragment F on NoSuchType { id } query { __typename ...F }`,
        `query { __typename @skip(if: "yes") }`,
        `query { __typename @noSuchDirective }`,
        `subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } courseSeatsChanged2: courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } }`,
        `subscription { courseSeatsChanged(courseId: "${world.courseId}") { seatsLeft } }`,
        `{ __schema { types { name fields { name args { name type { name ofType { name ofType { name } } } } } } } }`,
        `{ __type(name: "Query") { fields { name } } }`,
        `{ me { id } } { me { id } }`,
        `query ($a: Int = "x") { __typename }`,
        `query ($a: [Int!]! = [null]) { __typename }`,
      ]);
      query = junk;
      variables = {};
    }
    const c = post(world, "wrong argument types", json({ query, variables, ...(r() < 0.1 ? { operationName: pick(r, ["Fuzz", "Nope", ""]) } : {}) }), r);
    c.mutation = /^\s*mutation|\} mutation /.test(query);
    cases.push(c);
  }
  return cases;
}

export function hugeInputs({ world, roots }: Fuzz, r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  const withStrings = httpRoots(roots).filter((x) => x.field.args.some((a) => stringLeaves(a.type)));
  const withLists = httpRoots(roots).filter((x) => x.field.args.some((a) => isListType(isNonNullType(a.type) ? a.type.ofType : a.type) || (isInputObjectType(getNamedType(a.type)) && JSON.stringify(typedValue(r, a.type, () => "x")).includes("["))));
  while (cases.length < n) {
    const x = int(r, 0, 7);
    if (x <= 2) {
      // One huge string in every String/ID argument (ids that exist nowhere elsewhere are not needed: the string is the id).
      const root = pick(r, withStrings);
      const size = pick(r, [10_000, 100_000, 500_000, 1_000_000]);
      cases.push(post(world, "huge strings and lists", () => json({ query: operation(r, root), variables: hostileVars(world, r, root, "A".repeat(size)) }), r));
      cases[cases.length - 1].mutation = root.kind === "mutation";
    } else if (x <= 4) {
      // Long lists of ids that exist nowhere.
      const root = pick(r, withLists.length ? withLists : withStrings);
      const length = pick(r, [1_000, 10_000, 30_000]);
      const leaf = () => NOWHERE;
      // Only the outermost lists grow (a list of lists of 30,000 would be 900 million items).
      const grow = (v: unknown, top = true): unknown =>
        Array.isArray(v) ? (top ? Array.from({ length }, () => grow(v[0], false)) : v) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, y]) => [k, grow(y, top)])) : v;
      cases.push(post(world, "huge strings and lists", () => json({ query: operation(r, root), variables: grow(validVars(world, r, root, leaf)) }), r));
      cases[cases.length - 1].mutation = root.kind === "mutation";
    } else if (x === 5) {
      const size = pick(r, [BODY_LIMIT + 1, 2 * BODY_LIMIT, 5 * BODY_LIMIT]);
      cases.push(post(world, "huge strings and lists", () => json({ query: `mutation { logIn(email: "a@b.c", password: "${"p".repeat(size)}") { token } }` }), r));
    } else if (x === 6) {
      const count = pick(r, [1_000, 10_000]);
      const vars = Array.from({ length: count }, (_, i) => `$v${i}: String`).join(", ");
      cases.push(post(world, "huge strings and lists", () => json({ query: `query Q(${vars}) { __typename }`, variables: Object.fromEntries(Array.from({ length: count }, (_, i) => [`v${i}`, "x"])) }), r));
    } else {
      const what = int(r, 0, 3);
      const size = pick(r, [100_000, 900_000]);
      const query =
        what === 0
          ? `{ me { id } ${" ".repeat(size)} }`
          : what === 1
            ? `# ${"c".repeat(size)}\n{ me { id } }`
            : what === 2
              ? `{ ${"f".repeat(size)} }`
              : `query ${"N".repeat(size)} { me { id } }`;
      cases.push(post(world, "huge strings and lists", () => json({ query }), r));
    }
  }
  return cases;
}

export function deepNesting({ world }: Fuzz, r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  while (cases.length < n) {
    const depth = pick(r, [11, 20, 50, 200, 1_000, 3_000, 10_000]);
    const x = int(r, 0, 5);
    let query: string;
    const variables: Record<string, unknown> = {};
    if (x === 0) {
      // A real cycle: group -> school -> groups -> node -> school -> ...
      const levels = Math.min(depth, 400);
      query = `{ group(id: "${world.groupId}") { ${"school { groups { edges { node { ".repeat(levels)}id${" } } } }".repeat(levels)} } }`;
    } else if (x === 1) {
      query = `{ ${"a { ".repeat(depth)}b${" }".repeat(depth)} }`;
    } else if (x === 2) {
      query = `{ course(id: ${"[".repeat(depth)}"x"${"]".repeat(depth)}) { id } }`;
    } else if (x === 3) {
      const count = Math.min(depth, 2_000);
      query = `query { ...F0 } ${Array.from({ length: count }, (_, i) => `fragment F${i} on Query { __typename ${i + 1 < count ? `...F${i + 1}` : ""} }`).join(" ")}`;
    } else if (x === 4) {
      query = `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`;
    } else {
      // Nested far past what JSON.stringify (or a recursive reader) can take: written out by hand.
      const d = Math.min(depth, 10_000);
      const body = `{"query":"mutation M($i: CreateCourseInput!) { createCourse(input: $i) { id } }","variables":{"i":${'{"title":'.repeat(d)}"x"${"}".repeat(d)}}}`;
      const c = post(world, "deep nesting", body, r);
      c.mutation = true;
      cases.push(c);
      continue;
    }
    const c = post(world, "deep nesting", json({ query, variables }), r);
    c.mutation = query.startsWith("mutation");
    cases.push(c);
  }
  return cases;
}

export function aliasesAndRepetition({ world }: Fuzz, r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  while (cases.length < n) {
    const count = pick(r, [31, 100, 1_000, 3_000, 10_000]);
    const x = int(r, 0, 5);
    let query: string;
    if (x === 0) query = `{ ${Array.from({ length: count }, (_, i) => `a${i}: course(id: "${world.courseId}") { id title }`).join(" ")} }`;
    else if (x === 1) query = `mutation { ${Array.from({ length: Math.min(count, 2_000) }, (_, i) => `a${i}: enroll(courseId: "${NOWHERE}") { id }`).join(" ")} }`;
    else if (x === 2) query = `{ ${Array.from({ length: count }, () => `course(id: "${world.courseId}") { id title }`).join(" ")} }`;
    else if (x === 3) query = `{ me ${Array.from({ length: Math.min(count, 3_000) }, () => "@include(if: true)").join(" ")} { id } }`;
    else if (x === 4) query = Array.from({ length: Math.min(count, 3_000) }, (_, i) => `query Q${i} { me { id } }`).join(" ");
    else query = `{ a: course(id: "${world.courseId}") { id } a: course(id: "${world.course2Id}") { id } ${Array.from({ length: Math.min(count, 2_000) }, (_, i) => `b${i}: me { id }`).join(" ")} }`;
    const c = post(world, "aliases and repetition", json({ query, ...(x === 4 && r() < 0.5 ? { operationName: `Q${int(r, 0, 10)}` } : {}) }), r);
    c.mutation = x === 1;
    cases.push(c);
  }
  return cases;
}

export function batches({ world }: Fuzz, r: Rng, n: number): Case[] {
  const cases: Case[] = [];
  const items = [
    { query: "{ me { id } }" },
    { query: `mutation { enroll(courseId: "${NOWHERE}") { id } }` },
    { query: `mutation { logIn(email: "${world.queued.email}", password: "wrong") { token } }` },
    "garbage",
    null,
    [],
  ];
  while (cases.length < n) {
    const size = pick(r, [0, 1, 2, 10, 100, 1_000]);
    const batch = Array.from({ length: size }, () => pick(r, items));
    const c = post(world, "batched arrays", json(r() < 0.1 ? [batch] : batch), r);
    c.mutation = true;
    cases.push(c);
  }
  return cases;
}

/** Operator-looking strings in every String and ID argument, as variables and inline; operator objects too. */
export function operatorStrings({ world, roots }: Fuzz, r: Rng, rounds: number): Case[] {
  const cases: Case[] = [];
  const personas: Persona[] = ["staff", "student", "otherInstructor", "anonymous", "observer"];
  const targets = httpRoots(roots).filter((x) => x.field.args.some((a) => stringLeaves(a.type)));
  for (let round = 0; round < rounds; round++) {
    for (const root of targets) {
      for (const s of HOSTILE_STRINGS) {
        for (const persona of ["admin", pick(r, personas)] as Persona[]) {
          const token = world.tokens[persona];
          const vars = hostileVars(world, r, root, s);
          const inline = r() < 0.2;
          const body = json(inline ? { query: inlineOperation(r, root, vars) } : { query: operation(r, root), variables: vars });
          cases.push({ category: "operator strings", method: "POST", path: "/graphql", headers: { ...JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body, mutation: root.kind === "mutation" });
        }
      }
      // The operator as a JSON object, and prototype keys, where a string is expected.
      for (const obj of [{ $gt: "" }, { $ne: null }, JSON.parse('{"__proto__":{"role":"ADMIN"}}'), { constructor: { prototype: { role: "ADMIN" } } }]) {
        const body = json({ query: operation(r, root), variables: hostileVars(world, r, root, obj) });
        cases.push({ category: "operator strings", method: "POST", path: "/graphql", headers: { ...JSON_HEADERS, authorization: `Bearer ${world.tokens.admin}` }, body, mutation: root.kind === "mutation" });
      }
    }
  }
  return cases;
}
