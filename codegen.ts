// GraphQL Code Generator, both outputs checked against the committed schema.graphql:
// - operations/generated.ts: typed documents for the operations tests and benchmarks send;
// - web/src/gql/: the web client's typed documents (client preset), from the graphql(`...`) calls in web/src.
import type { CodegenConfig } from "@graphql-codegen/cli";

const scalars = { DateTimeISO: "string", JSONObject: "Record<string, unknown>" };

const config: CodegenConfig = {
  schema: "schema.graphql",
  generates: {
    "operations/generated.ts": {
      documents: "operations/**/*.graphql",
      plugins: ["typescript-operations", "typed-document-node"],
      config: { enumsAsTypes: true, useTypeImports: true, scalars },
    },
    "web/src/gql/": {
      documents: ["web/src/**/*.{ts,tsx}", "!web/src/gql/**"],
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { enumsAsTypes: true, useTypeImports: true, scalars },
    },
  },
  hooks: {},
};

export default config;
