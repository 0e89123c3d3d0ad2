// Redis Lua scripts are .lua files in a `lua/` folder beside the module that runs them (checked by
// `npm run lint`, scripts/check-lua.js). A checkout runs the source tree's file (src/ beside dist/),
// so an edited script needs no build; a production install holds only dist/, where `npm run build`
// copies them beside the compiled JavaScript (scripts/copy-lua.js). RedisScript runs one on Redis.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Redis } from "ioredis";
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

type Arg = string | number | Buffer;

/**
 * A Lua script run by its SHA1 (EVALSHA), sent whole (EVAL, which also caches it) only when Redis
 * does not hold it: on first use, or after a restart emptied Redis's script cache. ioredis's
 * defineCommand does the same but copies every defined script onto each pipeline it creates (one per
 * tick with auto-pipelining): about 5% of an enroll's server CPU with this server's ~40 scripts.
 */
export class RedisScript {
  readonly sha: string;

  constructor(
    readonly lua: string,
    /** How many of the arguments are keys (the scripts here take prefixes as ARGV: most have none). */
    readonly numberOfKeys = 0,
  ) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  async run<T>(redis: Redis, ...args: Arg[]): Promise<T> {
    try {
      return (await redis.evalsha(this.sha, this.numberOfKeys, ...args)) as T;
    } catch (e) {
      if (!(e instanceof Error && e.message.startsWith("NOSCRIPT"))) throw e;
      return (await redis.eval(this.lua, this.numberOfKeys, ...args)) as T;
    }
  }
}
