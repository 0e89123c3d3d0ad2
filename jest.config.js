/** Jest 30 on Node 24: TypeScript through SWC (with decorator metadata), real services only. Agenda 6 is
 * ESM-only: tests that build the runtime in-process load it through Node 24 with
 * --experimental-vm-modules (set by `npm test`). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // test/deploy needs a production install and nginx: `npm run test:deploy` runs it (jest.deploy.config.js).
  // The web client's budgets run alone: `npm run test:budgets` (jest.budgets.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/deploy/", "<rootDir>/test/web/budgets.test.ts"],
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
