// The workers (src/jobs/index.ts): what runs without a request starts in one call and stops in the
// order shutdown needs, in-process against the real services. Agenda and the deadline poll stop
// before the office-hours lines are written (they change lines), the timers before the log writers,
// the log writers (which write what their streams hold) before the event followers; the runtime
// closes MongoDB and Redis after. The three writers share the configured batching policy.
import "reflect-metadata";
import { startWorkers } from "../../src/jobs";
import { loadConfig } from "../../src/platform/config";
import { createLogger } from "../../src/platform/logger";
import { StreamWriter, type StreamWriterOptions } from "../../src/platform/streamWriter";
import { createRuntime, type Runtime } from "../../src/runtime";
import { deploymentEnv } from "../support/server";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createRuntime(loadConfig(deploymentEnv({ LOG_BATCH: "7", LOG_FLUSH_MS: "40", LOG_CLAIM_IDLE_MS: "900" })), createLogger("silent"));
});
afterAll(() => runtime?.close());

const optionsOf = (writer: StreamWriter) => (writer as unknown as { opts: StreamWriterOptions }).opts;

it("starts every worker, the three log writers on one batching policy, and stops them in order", async () => {
  const { services, agenda } = runtime;
  const events: string[] = [];
  const policies = new Map<string, Pick<StreamWriterOptions, "batch" | "flushMs" | "claimIdleMs">>();
  const record = <T extends object>(name: string, target: T, method: keyof T) => {
    const original = (target[method] as (...args: unknown[]) => unknown).bind(target);
    jest.spyOn(target, method as never).mockImplementation(((...args: unknown[]) => {
      events.push(name);
      return original(...args);
    }) as never);
  };
  const writerStart = StreamWriter.prototype.start;
  const writerStop = StreamWriter.prototype.stop;
  jest.spyOn(StreamWriter.prototype, "start").mockImplementation(function (this: StreamWriter) {
    const { name, batch, flushMs, claimIdleMs } = optionsOf(this);
    policies.set(name, { batch, flushMs, claimIdleMs });
    events.push(`start ${name} writer`);
    return writerStart.call(this);
  });
  jest.spyOn(StreamWriter.prototype, "stop").mockImplementation(function (this: StreamWriter) {
    events.push(`stop ${optionsOf(this).name} writer`);
    return writerStop.call(this);
  });
  record("start catalogue", services.catalogue, "start");
  record("start agenda", agenda, "start");
  record("stop agenda", agenda, "stop");
  record("stop deadlines", services.officeHoursDeadlines, "stop");
  record("stop line writes", services.officeHours, "stop");
  record("stop leaderboard", services.leaderboard, "stop");
  record("stop catalogue", services.catalogue, "stop");
  record("stop account states", services.accountStates, "stop");
  record("stop access", services.access, "stop");
  record("stop quiz departures", services.quizzes, "stop");
  record("stop attendance directory", services.attendanceDirectory, "stop");

  const workers = await startWorkers(runtime);
  expect([...policies.keys()].sort()).toEqual(["attendance", "enrollment", "quiz"]);
  for (const policy of policies.values()) expect(policy).toEqual({ batch: 7, flushMs: 40, claimIdleMs: 900 });
  expect(events.indexOf("start catalogue")).toBeLessThan(events.indexOf("start agenda"));

  events.length = 0;
  await workers.stop();
  const at = (name: string) => {
    const i = events.indexOf(name);
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  };
  const writers = ["stop enrollment writer", "stop quiz writer", "stop attendance writer"].map(at);
  const followers = ["stop catalogue", "stop account states", "stop access", "stop quiz departures", "stop attendance directory"].map(at);
  expect(at("stop agenda")).toBeLessThan(at("stop line writes"));
  expect(at("stop deadlines")).toBeLessThan(at("stop line writes"));
  expect(at("stop line writes")).toBeLessThan(Math.min(...writers));
  expect(at("stop leaderboard")).toBeLessThan(Math.min(...writers));
  expect(Math.max(...writers)).toBeLessThan(Math.min(...followers));
  expect(events).toHaveLength(12);

  // Stopping again does nothing.
  events.length = 0;
  await workers.stop();
  expect(events).toEqual([]);
});
