// Writes schema.graphql from the code (type-graphql is the source of truth).
// `--check` exits 1 when the committed file is stale instead of writing it.
import "reflect-metadata";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { printAppSchema } from "../src/server/schema";

const file = join(__dirname, "..", "..", "schema.graphql");

async function main() {
  const sdl = await printAppSchema();
  if (process.argv.includes("--check")) {
    const current = readFileSync(file, "utf8");
    if (current !== sdl) {
      console.error("schema.graphql is stale: run `npm run schema`");
      process.exit(1);
    }
    console.log("schema.graphql is up to date");
    return;
  }
  writeFileSync(file, sdl);
  console.log(`wrote ${file}`);
}

void main();
