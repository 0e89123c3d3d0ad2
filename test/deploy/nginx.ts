// nginx running the repository's deploy/nginx.conf on this machine: the same file with only what names
// Docker's network and the image's file system replaced (upstream host names, the listen port, the
// pid and log files), so that what is tested is the configuration compose mounts into the proxy.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "../../src/platform/net";

export const NGINX_CONF = join(__dirname, "..", "..", "deploy", "nginx.conf");
const NGINX_BIN = process.env.NGINX_BIN || "nginx";

/** One textual replacement: `from` must occur exactly once in deploy/nginx.conf. */
export interface Substitution {
  from: string;
  to: string;
}

export interface GeneratedConfig {
  text: string;
  substitutions: Substitution[];
  /** Lines added right after `http {` (temp file folders inside the prefix), nothing else. */
  added: string[];
}

/**
 * deploy/nginx.conf for this machine: `server app1:4000` / `server app2:4000` become the instances'
 * loopback ports, `listen 80` a loopback port of ours, and the pid and log files live in `prefix`.
 */
export function generateConfig(source: string, prefix: string, upstreamPorts: [number, number], listenPort: number, tempPathDirectives: string[]): GeneratedConfig {
  const substitutions: Substitution[] = [
    { from: "server app1:4000 ", to: `server 127.0.0.1:${upstreamPorts[0]} ` },
    { from: "server app2:4000 ", to: `server 127.0.0.1:${upstreamPorts[1]} ` },
    { from: "listen 80 ", to: `listen 127.0.0.1:${listenPort} ` },
    { from: "pid /var/run/nginx.pid;", to: `pid ${join(prefix, "nginx.pid")};` },
    { from: "error_log /var/log/nginx/error.log ", to: `error_log ${join(prefix, "error.log")} ` },
    { from: "access_log /var/log/nginx/access.log ", to: `access_log ${join(prefix, "access.log")} ` },
  ];
  let text = source;
  for (const { from, to } of substitutions) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`deploy/nginx.conf: expected "${from}" once, found it ${count} times`);
    text = text.replace(from, to);
  }
  const added = tempPathDirectives.map((d) => `    ${d}`);
  const lines = text.split("\n");
  const http = lines.indexOf("http {");
  if (http < 0) throw new Error('deploy/nginx.conf: no "http {" line');
  lines.splice(http + 1, 0, ...added);
  return { text: lines.join("\n"), substitutions, added };
}

/**
 * Where this nginx keeps request bodies and proxied responses that do not fit in memory. Debian's build
 * has absolute folders under /var/lib/nginx (not writable without root, and chowned to the worker user
 * by a root master): each one the build has is pointed at a folder inside the prefix instead.
 */
function tempPathDirectives(): string[] {
  const version = spawnSync(NGINX_BIN, ["-V"], { encoding: "utf8" });
  if (version.error) throw new Error(`cannot run ${NGINX_BIN}: ${version.error.message}`);
  const configure = `${version.stdout}${version.stderr}`; // nginx -V prints to stderr
  const kinds: [flag: string, directive: string, module: string][] = [
    ["client-body", "client_body_temp_path", ""],
    ["proxy", "proxy_temp_path", "proxy"],
    ["fastcgi", "fastcgi_temp_path", "fastcgi"],
    ["uwsgi", "uwsgi_temp_path", "uwsgi"],
    ["scgi", "scgi_temp_path", "scgi"],
  ];
  return kinds
    .filter(([flag, , module]) => configure.includes(`--http-${flag}-temp-path=`) && !(module && configure.includes(`--without-http_${module}_module`)))
    .map(([flag, directive]) => `${directive} ${flag.replace("-", "_")}_temp;`);
}

export interface RunningNginx {
  port: number;
  url: string;
  wsUrl: string;
  prefix: string;
  config: GeneratedConfig;
  proc: ChildProcess;
  /** What nginx wrote to its error log and stderr so far. */
  errors(): string;
  accessLog(): string;
  stop(): Promise<void>;
}

/** nginx in the foreground as a child process, proxying to the two instances on `upstreamPorts`. */
export async function startNginx(upstreamPorts: [number, number]): Promise<RunningNginx> {
  const prefix = mkdtempSync(join(tmpdir(), "cl-nginx-"));
  // Run as root, nginx's workers run as `nobody`: they must reach the temp folders inside the prefix.
  chmodSync(prefix, 0o755);
  const port = await freePort();
  const config = generateConfig(readFileSync(NGINX_CONF, "utf8"), prefix, upstreamPorts, port, tempPathDirectives());
  const confFile = join(prefix, "nginx.conf");
  writeFileSync(confFile, config.text);

  let stderr = "";
  const proc = spawn(NGINX_BIN, ["-p", prefix, "-e", join(prefix, "error.log"), "-c", confFile, "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  proc.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const read = (file: string) => {
    try {
      return readFileSync(join(prefix, file), "utf8");
    } catch {
      return "";
    }
  };
  const errors = () => `${stderr}${read("error.log")}`;

  const failed = exited.then(() => {
    throw new Error(`nginx exited at start (code ${proc.exitCode}):\n${errors()}`);
  });
  try {
    await Promise.race([waitForPort(port, "127.0.0.1", 10_000), failed]);
  } catch (e) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await exited;
    rmSync(prefix, { recursive: true, force: true });
    throw e;
  }
  failed.catch(() => undefined); // exiting later is stop()'s business

  return {
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    prefix,
    config,
    proc,
    errors,
    accessLog: () => read("access.log"),
    async stop() {
      // SIGQUIT: graceful; SIGTERM after a while in case a proxied WebSocket keeps a worker busy.
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGQUIT");
        const timer = setTimeout(() => proc.kill("SIGTERM"), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
