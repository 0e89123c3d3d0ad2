/** The web client's budgets (test/web/budgets.test.ts: JavaScript size, 2,000 rows rendered live), run
 * alone by `npm run test:budgets` (.ci/run runs it after `npm test`): its set-up keeps both cores busy
 * for two minutes, which would slow the suite's timing-sensitive tests, and a render measured beside
 * other test files measures them too. Same transform and reporters as jest.config.js; one worker. */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ["<rootDir>/test/web/budgets.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
  maxWorkers: 1,
};
