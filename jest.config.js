/** Jest 30 on Node 24: TypeScript through SWC (with decorator metadata), real services only. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: "es2022",
        },
        module: { type: "commonjs" },
      },
    ],
  },
  globalSetup: "<rootDir>/test/support/globalSetup.ts",
  reporters: ["default", "<rootDir>/test/support/summaryReporter.js"],
  testTimeout: 60_000,
  maxWorkers: 2,
};
