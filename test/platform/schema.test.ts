import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { printAppSchema } from "../../src/schema";

describe("schema.graphql", () => {
  it("matches the schema emitted from the code (run `npm run schema` when this fails)", async () => {
    const committed = readFileSync(join(__dirname, "..", "..", "schema.graphql"), "utf8");
    expect(await printAppSchema()).toBe(committed);
  });
});
