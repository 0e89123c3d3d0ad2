// CPU profiles of a benchmark's timed window only. With BENCH_PROFILE_DIR set, the servers run with
// `--inspect-port=0`; `profileWindow` opens the inspector of each process serving requests (SIGUSR1,
// as `node inspect -p` would; a cluster's workers, not its primary), runs V8's sampling profiler over
// the DevTools protocol, and on stop writes one `<label>-<pid>.cpuprofile` per process: set-up and
// teardown are not in it. Read them with `node dist/bench/profile.js <files>` or Chrome DevTools.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import type { TestServer } from "../../test/support/server";
import { childrenOf, sleep } from "./measure";

export const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

/** The Node options a profiled server needs (its inspector on a free port when signalled). */
export const PROFILE_NODE_OPTIONS = PROFILE_DIR ? " --inspect-port=0" : "";

interface Inspector {
  pid: number;
  call(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): void;
}

/** Starts profiling the processes of `server` that serve requests; a no-op without BENCH_PROFILE_DIR. */
export async function profileWindow(server: TestServer, label: string): Promise<{ stop(): Promise<void> }> {
  if (!PROFILE_DIR) return { stop: async () => {} };
  // The processes that serve requests: a cluster's workers (not its primary), or the one process.
  const workers = childrenOf(server.proc.pid!);
  const pids = workers.length ? workers : [server.proc.pid!];
  const inspectors: Inspector[] = [];
  for (const pid of pids) {
    const inspector = await openInspector(server, pid);
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: 200 });
    await inspector.call("Profiler.start");
    inspectors.push(inspector);
  }
  return {
    async stop() {
      mkdirSync(PROFILE_DIR, { recursive: true });
      for (const inspector of inspectors) {
        const { profile } = await inspector.call("Profiler.stop");
        writeFileSync(join(PROFILE_DIR, `${label}-${inspector.pid}.cpuprofile`), JSON.stringify(profile));
        inspector.close();
      }
      console.log(`CPU profiles of ${label} (${inspectors.length} processes) in ${PROFILE_DIR}`);
    },
  };
}

/** Inspectors opened so far (a process opens one once; later windows reuse it). */
const inspectorUrls = new Map<number, string>();

/** SIGUSR1 opens a process's inspector; its address is the next "Debugger listening" line the deployment logs. */
async function signalInspector(server: TestServer, pid: number): Promise<string> {
  const seen = server.logs.join("").split("Debugger listening on ").length;
  process.kill(pid, "SIGUSR1");
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    const parts = server.logs.join("").split("Debugger listening on ");
    const url = parts.length > seen ? /^(ws:\/\/\S+)/.exec(parts[seen])?.[1] : undefined;
    if (url) return url;
  }
  throw new Error(`process ${pid} opened no inspector (is --inspect-port=0 among its Node options?)`);
}

async function openInspector(server: TestServer, pid: number): Promise<Inspector> {
  const url = inspectorUrls.get(pid) ?? (await signalInspector(server, pid));
  inspectorUrls.set(pid, url);
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  // A process leaving while its profile is still taken (the window ended in an error) waits for the
  // debugger to disconnect: let it go.
  const onExit = (data: Buffer) => {
    if (String(data).includes("Waiting for the debugger to disconnect")) socket.close();
  };
  server.proc.stderr?.on("data", onExit);
  socket.once("close", () => server.proc.stderr?.off("data", onExit));
  let nextId = 1;
  const waiting = new Map<number, (result: Record<string, unknown>) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? {});
  });
  return {
    pid,
    call(method, params = {}) {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => waiting.set(id, resolve));
    },
    close: () => socket.close(),
  };
}
