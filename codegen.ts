// GraphQL Code Generator: typed documents for the operations tests and benchmarks send,
// checked against the committed schema.graphql.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: "operations/**/*.graphql",
  generates: {
    "operations/generated.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTimeISO: "string", JSONObject: "Record<string, unknown>" },
      },
    },
  },
  hooks: {},
};

export default config;
