// Redis Lua scripts are .lua files in a `lua/` folder beside the module that runs them (checked by
// `npm run lint`, scripts/check-lua.js). A checkout runs the source tree's file (src/ beside dist/),
// so an edited script needs no build; a production install holds only dist/, where `npm run build`
// copies them beside the compiled JavaScript (scripts/copy-lua.js).
import { existsSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";

/** The text of `files` (in the `lua/` folder beside `dir`, normally `__dirname`), joined in order: a library first, then the script. */
export function luaScript(dir: string, ...files: string[]): string {
  return files.map((file) => readFileSync(locate(join(dir, "lua", file)), "utf8")).join("\n");
}

function locate(path: string): string {
  const compiled = `${sep}dist${sep}src${sep}`;
  const at = path.lastIndexOf(compiled);
  const source = at < 0 ? null : `${path.slice(0, at)}${sep}src${sep}${path.slice(at + compiled.length)}`;
  if (source && existsSync(source)) return source;
  if (existsSync(path)) return path;
  throw new Error(`Lua script ${path} missing: \`npm run build\` copies the .lua files into dist`);
}
