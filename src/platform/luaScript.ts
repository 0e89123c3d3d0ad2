// Redis Lua scripts are .lua files in a `lua/` folder beside the module that runs them (checked by
// `npm run lint`, scripts/check-lua.js). `npm run build` copies them next to the compiled JavaScript
// (scripts/copy-lua.js), which is all a production install holds; a build made by tsc alone has no
// copies, and its scripts are read from the source tree (src/ beside dist/).
import { existsSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";

/** The text of `files` (in the `lua/` folder beside `dir`, normally `__dirname`), joined in order: a library first, then the script. */
export function luaScript(dir: string, ...files: string[]): string {
  return files.map((file) => readFileSync(locate(join(dir, "lua", file)), "utf8")).join("\n");
}

function locate(path: string): string {
  if (existsSync(path)) return path;
  const compiled = `${sep}dist${sep}src${sep}`;
  const at = path.lastIndexOf(compiled);
  const source = at < 0 ? null : `${path.slice(0, at)}${sep}src${sep}${path.slice(at + compiled.length)}`;
  if (source && existsSync(source)) return source;
  throw new Error(`Lua script ${path} missing: \`npm run build\` copies the .lua files into dist`);
}
