/** The deployed-shape check (test/deploy), run by scripts/deploy-check.sh (`npm run test:deploy`), which
 * makes the production install (DEPLOY_APP_DIR), finds nginx (NGINX_BIN) and starts the services. Same
 * transform and reporters as jest.config.js; one file, one worker. */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/test/deploy"],
  testPathIgnorePatterns: ["/node_modules/"],
  maxWorkers: 1,
  testTimeout: 30_000,
};
