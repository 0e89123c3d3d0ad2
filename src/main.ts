// Process entry point: refuses an unsupported Node.js in one line, then starts the server (start.ts).
// Nothing else may be imported here: the check must run before any native module is loaded.
import { nodeVersionProblem } from "./platform/nodeVersion";

const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem) {
  console.error(problem);
  process.exit(1);
}
require("./start");
