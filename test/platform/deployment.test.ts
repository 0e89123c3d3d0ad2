// The deployment files agree with what the tests prove: the MongoDB major of the embedded server and
// of compose, Redis durability, the production install the deployed-shape check reproduces, and the
// Node.js of the image. (scripts/deploy-check.sh runs that shape; this guards the files themselves.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MIN_NODE } from "../../src/platform/nodeVersion";

const root = join(__dirname, "..", "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");
const pkg = JSON.parse(read("package.json")) as {
  config: { mongodbMemoryServer: { version: string } };
  dependencies: Record<string, string>;
};
const compose = read("docker-compose.yml");
const dockerfile = read("Dockerfile");

it("compose runs the MongoDB major the embedded server (and so `npm start` and the tests with internet) runs", () => {
  const embedded = pkg.config.mongodbMemoryServer.version;
  const image = /^\s+image: mongo:([\d.]+)\s*$/m.exec(compose)?.[1];
  expect(image).toBeDefined();
  expect(image!.split(".").slice(0, 2)).toEqual(embedded.split(".").slice(0, 2));
  expect(read("README.md")).toContain(`MongoDB ${embedded.split(".").slice(0, 2).join(".")}`);
});

it("compose's Redis fsyncs every write, the setting the reliability tests prove no acknowledged write lost with", () => {
  expect(compose).toMatch(/command: \["redis-server", "--appendonly", "yes", "--appendfsync", "always"\]/);
  expect(read("test/support/services.ts")).toContain('"--appendonly", "yes", "--appendfsync", "always"');
});

it("the deployed-shape check installs production dependencies exactly as the image's prod-deps stage", () => {
  const stage = /FROM \$\{NODE_IMAGE\} AS prod-deps[\s\S]*?RUN[^\n]*\n\s+(npm install [^\n]+)/.exec(dockerfile)?.[1];
  expect(stage).toBe("npm install --omit=dev --ignore-scripts");
  expect(read("scripts/deploy-check.sh")).toContain(stage!);
  expect(dockerfile).toContain('CMD ["node", "dist/src/main.js"]');
});

it("the image's Node.js is one the entry point accepts", () => {
  const image = /^ARG NODE_IMAGE=node:(\d+)/m.exec(dockerfile)?.[1];
  expect(Number(image)).toBeGreaterThanOrEqual(MIN_NODE[0]);
});

it("the build context holds everything the Dockerfile copies from it (.dockerignore is an allow-list)", () => {
  const allowed = read(".dockerignore")
    .split("\n")
    .filter((line) => line.startsWith("!"))
    .map((line) => line.slice(1).replace(/\/$/, ""));
  const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
  expect(copied.length).toBeGreaterThan(4);
  for (const source of copied) expect([source, allowed.some((a) => source === a || source.startsWith(`${a}/`))]).toEqual([source, true]);
});
