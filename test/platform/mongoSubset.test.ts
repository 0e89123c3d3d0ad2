// The MongoDB subset (README, "MongoDB subset"): what production's MongoDB 7 has but the stand-in
// (FerretDB 2.5 + DocumentDB) lacks must not appear in src/: multi-document transactions, change
// streams, replica-set discovery, server-side JavaScript, $merge/$out. Read from the code's syntax
// (property names and string literals; comments and local names are not the driver's API).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const ROOT = join(__dirname, "..", "..");
const FORBIDDEN: Record<string, string> = {
  startSession: "multi-document transactions",
  withTransaction: "multi-document transactions",
  commitTransaction: "multi-document transactions",
  watch: "change streams",
  ChangeStream: "change streams",
  replicaSet: "replica-set discovery",
  $where: "server-side JavaScript",
  $function: "server-side JavaScript",
  $accumulator: "server-side JavaScript",
  mapReduce: "server-side JavaScript",
  $merge: "aggregation output stages",
  $out: "aggregation output stages",
};

/**
 * Each forbidden name the source uses as code, with its line: a property or method name (`x.watch()`,
 * `{ $where: ... }`) or a string literal (`"$out"`). Local names and comments do not count.
 */
export function outsideSubset(source: string): { name: string; why: string; line: number }[] {
  const file = ts.createSourceFile("code.ts", source, ts.ScriptTarget.Latest, true);
  const found: { name: string; why: string; line: number }[] = [];
  const visit = (node: ts.Node) => {
    let text: string | undefined;
    if (ts.isStringLiteralLike(node)) text = node.text;
    else if (ts.isIdentifier(node) && node.parent && ((ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) || (ts.isPropertyAssignment(node.parent) && node.parent.name === node))) text = node.text;
    if (text !== undefined && Object.hasOwn(FORBIDDEN, text)) {
      found.push({ name: text, why: FORBIDDEN[text], line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

it("src/ uses nothing outside the MongoDB subset", () => {
  const files = sourceFiles(join(ROOT, "src"));
  expect(files.length).toBeGreaterThan(50);
  const uses = files.flatMap((file) => outsideSubset(readFileSync(file, "utf8")).map((u) => `${relative(ROOT, file)}:${u.line} ${u.name} (${u.why})`));
  expect(uses).toEqual([]);
});

it("the check sees such code, and not the same words in comments", () => {
  const code = [
    "// a transaction would need startSession and withTransaction; change streams watch()",
    "const session = await connection.startSession();",
    "await session.withTransaction(async () => Model.find({ $where: 'this.a > 1' }));",
    "const stream = Model.collection.watch();",
    "const watch = 1; // a local name is not the driver's",
    'const url = "mongodb://h/db?" + ["replicaSet", "rs0"].join("=");',
    "await Model.aggregate([{ $match: {} }, { '$out': 'copy' }]);",
  ].join("\n");
  expect(outsideSubset(code).map((u) => `${u.line} ${u.name}`)).toEqual(["2 startSession", "3 withTransaction", "3 $where", "4 watch", "6 replicaSet", "7 $out"]);
});
