import js from "@eslint/js";
import importX from "eslint-plugin-import-x";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Files that never ship in the production install (`npm install --omit=dev`): dev dependencies allowed. */
const DEV_ONLY = ["test/**", "bench/**", "scripts/**", "operations/**", "web/**", "codegen.ts", "*.config.{js,mjs,ts}", "eslint.config.mjs"];

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
