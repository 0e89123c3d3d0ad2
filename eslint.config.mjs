import js from "@eslint/js";
import importX, { createNodeResolver } from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Files that never ship in the production install (`npm install --omit=dev`): dev dependencies allowed. */
const DEV_ONLY = ["test/**", "bench/**", "scripts/**", "operations/**", "web/**", "codegen.ts", "*.config.{js,mjs,ts}", "eslint.config.mjs"];

/** The composition root: what builds and starts the application from its parts. */
const COMPOSITION_ROOT = ["./src/app.ts", "./src/main.ts", "./src/start.ts", "./src/runtime.ts", "./src/services.ts"];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "operations/generated.ts", "web/src/gql/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ["**/*.js"], languageOptions: { sourceType: "commonjs", globals: globals.node } },
  {
    rules: {
      "@typescript-eslint/no-unsafe-function-type": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // A file longer than this holds more than one concern: split it, or say at its top why not
      // (`/* eslint-disable max-lines -- <the reason> */`).
      "max-lines": ["error", { max: 450 }],
    },
  },
  // The layers (docs/architecture.md): imports point down, never up. platform/ knows nothing of the
  // application; the domain knows no transport, GraphQL, jobs or composition root; models know only
  // platform/; no resolver, schema type or event module reaches into the server.
  {
    files: ["src/**/*.ts"],
    plugins: { "import-x": importX },
    // The rule judges resolved files: without `.ts` among the extensions it finds none and passes everything.
    settings: { "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".mjs", ".cjs", ".js", ".json", ".node"] })] },
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: "./src/platform",
              from: "./src",
              except: ["./platform"],
              message: "src/platform/ is infrastructure that knows nothing of the application: it imports no other src/ folder.",
            },
            {
              target: "./src/domain",
              from: ["./src/server", "./src/resolvers", "./src/schema", "./src/context.ts", "./src/jobs", ...COMPOSITION_ROOT],
              message: "src/domain/ holds the rules: it imports no transport, GraphQL types or request context, jobs or composition root.",
            },
            {
              target: ["./src/resolvers", "./src/schema", "./src/events"],
              from: "./src/server",
              message: "src/server/ is the transport on top: resolvers, schema types and events never import it (shared-payload marks are src/events/sharing.ts).",
            },
            {
              target: "./src/models",
              from: "./src",
              except: ["./models", "./platform"],
              message: "src/models/ holds mongoose schemas: it imports only src/platform/.",
            },
          ],
        },
      ],
    },
  },
  // Every import must be declared in package.json: the server's in `dependencies` (the production
  // install has nothing else), tooling's in either.
  {
    plugins: { "import-x": importX },
    rules: {
      "import-x/no-extraneous-dependencies": [
        "error",
        { devDependencies: DEV_ONLY, optionalDependencies: false, peerDependencies: false, includeTypes: false },
      ],
    },
  },
);
