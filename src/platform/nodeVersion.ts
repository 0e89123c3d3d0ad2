// The Node.js this server needs. Checked by the entry point before any native module loads: argon2's
// prebuilt binary crashes older Node.js versions with a segmentation fault instead of an error.
// Keep in step with package.json's `engines.node` (a test compares them).
export const MIN_NODE = [24, 9] as const;

/** One line saying what is needed and how to get it, or null when `version` (e.g. "24.21.0") will do. */
export function nodeVersionProblem(version: string, execPath = ""): string | null {
  const [major, minor] = version.split(".").map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return null;
  const where = execPath ? ` at ${execPath}` : "";
  return (
    `campus-live needs Node.js >= ${MIN_NODE.join(".")}, not ${version}${where}: ` +
    "start it with `npm start` (it runs the Node.js 24 installed by `npm install` as the `node` package) " +
    "or put Node.js 24 on PATH"
  );
}
