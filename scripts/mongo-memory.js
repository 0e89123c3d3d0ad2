// Fallback for machines without the vendored MongoDB stand-in: a mongodb-memory-server replica set that lives until killed.
// Writes its URI to the file named by the first argument.
const { writeFileSync } = require("node:fs");
const { MongoMemoryReplSet } = require("mongodb-memory-server");

MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: "wiredTiger" } }).then((rs) => {
  writeFileSync(process.argv[2], rs.getUri("campus_live"));
  const stop = () => rs.stop().finally(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}, (e) => {
  console.error(`mongodb-memory-server failed: ${e.message}`);
  process.exit(1);
});
