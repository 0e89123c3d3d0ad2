// Reads the Redis commands a .lua script issues (`redis.call(...)`), so tests can hold the field
// names the scripts write to the codecs that read them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, type CallExpression, type Expression, type Node } from "luaparse";

export interface RedisCall {
  /** The script file, for messages. */
  file: string;
  line: number;
  command: string;
  /** The key argument as written in the script ("L", "P .. 'log'"). */
  key: string;
  /** The arguments after the key: a string literal's value, or null for any other expression. */
  args: (string | null)[];
}

/** The .lua files of a src folder's `lua/` (e.g. "domain/enrollment"). */
export function luaFilesOf(srcFolder: string): string[] {
  const dir = join(__dirname, "..", "..", "src", srcFolder, "lua");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".lua"))
    .map((f) => join(dir, f));
}

const literal = (e: Expression): string | null => (e.type === "StringLiteral" ? e.raw.slice(1, -1) : null);

export function redisCalls(file: string): RedisCall[] {
  const code = readFileSync(file, "utf8");
  const calls: RedisCall[] = [];
  parse(code, {
    luaVersion: "5.1",
    locations: true,
    ranges: true,
    onCreateNode(node: Node) {
      if (node.type !== "CallExpression") return;
      const call = node as CallExpression;
      const base = call.base;
      if (base.type !== "MemberExpression" || base.base.type !== "Identifier" || base.base.name !== "redis" || base.identifier.name !== "call") return;
      const [command, key, ...rest] = call.arguments;
      const name = command && literal(command);
      if (!name || !key) return;
      calls.push({ file, line: call.loc!.start.line, command: name.toUpperCase(), key: code.slice(...(key as Expression & { range: [number, number] }).range), args: rest.map(literal) });
    },
  });
  return calls;
}

/** The field names of every XADD in the files, in order (a field named by an expression is reported as null). */
export function xaddFields(files: string[]): { at: string; fields: (string | null)[] }[] {
  return files
    .flatMap(redisCalls)
    .filter((c) => c.command === "XADD")
    .map((c) => ({ at: `${c.file}:${c.line}`, fields: c.args.slice(1).filter((_, i) => i % 2 === 0) }));
}

/** The hash field names the files' commands name as string literals, on keys written as `key`. */
export function hashFields(files: string[], key: string): string[] {
  const fields: (string | null)[] = [];
  for (const c of files.flatMap(redisCalls)) {
    if (c.key !== key) continue;
    if (c.command === "HSET") fields.push(...c.args.filter((_, i) => i % 2 === 0));
    else if (c.command === "HMGET" || c.command === "HDEL") fields.push(...c.args);
    else if (c.command === "HGET" || c.command === "HEXISTS" || c.command === "HINCRBY") fields.push(c.args[0]);
  }
  return fields.filter((f): f is string => f !== null);
}
