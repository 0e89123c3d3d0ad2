// The Lua scripts as files: the loader (src/platform/luaScript.ts) and `npm run lint`'s check
// (scripts/check-lua.js), which must pass on the repository and fail on a planted error; and
// RedisScript, which runs them on Redis.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ENROLL } from "../../src/domain/enrollment/scripts";
import { luaScript, RedisScript } from "../../src/platform/luaScript";
import { scratchRedis } from "../support/redis";

const root = join(__dirname, "..", "..");
const checkLua = (...folders: string[]) =>
  promisify(execFile)(process.execPath, [join(root, "scripts", "check-lua.js"), ...folders], { cwd: root }).then(
    ({ stdout }) => ({ code: 0, out: stdout }),
    (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }),
  );

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "lua-"));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

it("loads a script after the library it names, as one text", () => {
  const dir = join(root, "src", "domain", "enrollment");
  const lib = readFileSync(join(dir, "lua", "lib.lua"), "utf8");
  const enroll = readFileSync(join(dir, "lua", "enroll.lua"), "utf8");
  expect(ENROLL).toBe(`${lib}\n${enroll}`);
});

it("reads the source tree's file in a checkout (an edit needs no build), else the build's copy (a production install), else says what is missing", () => {
  mkdirSync(join(tmp, "src", "area", "lua"), { recursive: true });
  mkdirSync(join(tmp, "dist", "src", "area", "lua"), { recursive: true });
  writeFileSync(join(tmp, "dist", "src", "area", "lua", "a.lua"), "return 'copy'\n");
  expect(luaScript(join(tmp, "dist", "src", "area"), "a.lua")).toBe("return 'copy'\n");
  writeFileSync(join(tmp, "src", "area", "lua", "a.lua"), "return 'source'\n");
  expect(luaScript(join(tmp, "dist", "src", "area"), "a.lua")).toBe("return 'source'\n");
  expect(() => luaScript(join(tmp, "dist", "src", "area"), "b.lua")).toThrow(/b\.lua missing: `npm run build` copies/);
});

it("the lint check passes on the repository's scripts", async () => {
  const { code, out } = await checkLua();
  expect(code).toBe(0);
  expect(out).toMatch(/^Lua: \d+ files parse as Lua 5\.1/);
});

it("the lint check fails on a syntax error, on Lua newer than 5.1, and on a global assignment", async () => {
  const dir = join(tmp, "lua");
  mkdirSync(dir);
  writeFileSync(join(dir, "lib.lua"), "local P = ARGV[1]\n");
  writeFileSync(join(dir, "broken.lua"), "local x = redis.call('GET', P)\nif x then\n  return x\n");
  writeFileSync(join(dir, "newer.lua"), "return 7 // 2\n");
  writeFileSync(join(dir, "global.lua"), "P = 'ok: a local of lib.lua'\ncount = 1\nreturn count\n");
  writeFileSync(join(dir, "fine.lua"), "return P\n");
  const { code, out } = await checkLua(tmp);
  expect(code).toBe(1);
  const lines = out.trim().split("\n").map((l) => l.slice(l.indexOf("lua/")));
  expect(lines).toEqual([
    "lua/broken.lua:4:1: 'end' expected near '<eof>'",
    "lua/global.lua:2:1: assigns the global 'count'",
    "lua/newer.lua:1:11: <expression> expected near '/'",
  ]);
});

describe("RedisScript, on a real Redis", () => {
  const { redis, prefix } = scratchRedis();
  /** A script no Redis has seen yet (its text is new), so its first run finds no cached copy. */
  const fresh = (body: string, keys = 0) => new RedisScript(`-- ${randomBytes(8).toString("hex")}\n${body}`, keys);

  it("runs a script Redis does not hold yet (EVALSHA answers NOSCRIPT, then EVAL), and by its SHA1 afterwards", async () => {
    const script = fresh("return {KEYS[1], ARGV[1], ARGV[2]}", 1);
    expect(await redis.script("EXISTS", script.sha)).toEqual([0]);
    await expect(script.run<string[]>(redis, `${prefix}k`, "a", 2)).resolves.toEqual([`${prefix}k`, "a", "2"]);
    expect(await redis.script("EXISTS", script.sha)).toEqual([1]);
    await expect(script.run<string[]>(redis, `${prefix}k`, "b", 3)).resolves.toEqual([`${prefix}k`, "b", "3"]);
  });

  it("takes binary arguments as they are", async () => {
    const script = fresh("redis.call('SET', KEYS[1], ARGV[1]) return redis.call('STRLEN', KEYS[1])", 1);
    await expect(script.run<number>(redis, `${prefix}bin`, Buffer.from([0, 255, 1]))).resolves.toBe(3);
    expect(await redis.getBuffer(`${prefix}bin`)).toEqual(Buffer.from([0, 255, 1]));
  });

  it("passes on the script's own errors (they are not a missing script)", async () => {
    const script = fresh("return redis.error_reply('BOOM here')");
    await expect(script.run(redis)).rejects.toThrow("BOOM here");
  });
});
