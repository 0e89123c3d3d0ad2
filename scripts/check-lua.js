// `npm run lint`'s Lua check: every .lua file under src/ must parse as Lua 5.1 (the Lua of Redis)
// and must not assign a global (Redis refuses that at run time: "Script attempted to create global
// variable"); a script's globals are judged after the lib.lua of its folder, as src/platform/luaScript.ts
// loads the scripts that name it. Prints each problem as file:line:column and exits 1 if there is any.
//
//   node scripts/check-lua.js [folder...]     (default: src)
const { readFileSync, readdirSync, existsSync } = require("node:fs");
const { basename, dirname, join, relative } = require("node:path");
const luaparse = require("luaparse");

function luaFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return luaFiles(path);
    return d.name.endsWith(".lua") ? [path] : [];
  });
}

/**
 * Problems of one chunk as [line, column, message], lines counted from the chunk's first: its syntax
 * error, else its assignments to globals.
 */
function check(code) {
  const globals = [];
  const assigned = (node) => {
    if (node && node.type === "Identifier" && !node.isLocal) globals.push([node.loc.start.line, node.loc.start.column + 1, `assigns the global '${node.name}'`]);
  };
  try {
    luaparse.parse(code, {
      luaVersion: "5.1",
      locations: true,
      scope: true,
      onCreateNode(node) {
        if (node.type === "AssignmentStatement") node.variables.forEach(assigned);
        if (node.type === "FunctionDeclaration" && !node.isLocal) assigned(node.identifier);
      },
    });
  } catch (e) {
    if (!(e instanceof SyntaxError) || e.line === undefined) throw e;
    return { syntax: [[e.line, e.column + 1, e.message.replace(/^\[\d+:\d+\] /, "")]], globals: [] };
  }
  return { syntax: [], globals };
}

const problems = [];
const roots = process.argv.slice(2).length ? process.argv.slice(2) : ["src"];
const files = roots.flatMap((root) => luaFiles(root)).sort();
for (const file of files) {
  const code = readFileSync(file, "utf8");
  const alone = check(code);
  let found = alone.syntax.length ? alone.syntax : alone.globals;
  // Every file is a whole chunk, so its syntax is checked alone; its globals, after its lib.lua
  // (whose locals it may assign), unless that is broken (then reported for itself).
  const lib = join(dirname(file), "lib.lua");
  if (!alone.syntax.length && basename(file) !== "lib.lua" && existsSync(lib)) {
    const prefix = readFileSync(lib, "utf8") + "\n";
    const libLines = prefix.split("\n").length - 1;
    const withLib = check(prefix + code);
    if (!withLib.syntax.length) found = withLib.globals.filter(([line]) => line > libLines).map(([line, column, message]) => [line - libLines, column, message]);
  }
  for (const [line, column, message] of found) problems.push(`${relative(process.cwd(), file)}:${line}:${column}: ${message}`);
}
if (!files.length) problems.push(`no .lua files under ${roots.join(", ")}`);
for (const p of problems) console.error(p);
if (problems.length) process.exit(1);
console.log(`Lua: ${files.length} files parse as Lua 5.1 and assign no global`);
