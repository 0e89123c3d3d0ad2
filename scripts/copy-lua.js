// Part of `npm run build` (and of the Dockerfile's build, which runs it): tsc compiles src/ to
// dist/src/ but copies no .lua file, so this copies every .lua file of src/ to the same place under
// dist/src/, beside the compiled module that loads it (src/platform/luaScript.ts).
const { cpSync, readdirSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
let copied = 0;
for (const file of readdirSync(join(root, "src"), { recursive: true })) {
  if (!String(file).endsWith(".lua")) continue;
  cpSync(join(root, "src", String(file)), join(root, "dist", "src", String(file)));
  copied++;
}
if (!copied) throw new Error("no .lua files under src/");
