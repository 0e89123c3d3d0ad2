// What the server measures for Prometheus (GraphQL operations and errors, sockets, subscriptions,
// events, job lag, log backlogs); under the cluster primary, /metrics answers for every worker.
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { clusterMetrics, isClusterWorker } from "./cluster";

/** Prometheus metrics of one process; served at GET /metrics. */
export class Metrics {
  readonly registry = new Registry();

  readonly operationDuration = new Histogram({
    name: "graphql_operation_duration_seconds",
    help: "GraphQL operation latency by root field(s) and operation type",
    labelNames: ["operation", "type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: "graphql_errors_total",
    help: "GraphQL errors sent to clients, by extensions.code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });

  readonly openSockets = new Gauge({
    name: "graphql_ws_open_sockets",
    help: "Open graphql-ws WebSocket connections",
    registers: [this.registry],
  });

  readonly activeSubscriptions = new Gauge({
    name: "graphql_active_subscriptions",
    help: "Running GraphQL subscriptions",
    registers: [this.registry],
  });

  readonly events = new Counter({
    name: "domain_events_published_total",
    help: "Domain events published, by name",
    labelNames: ["name"] as const,
    registers: [this.registry],
  });

  /** How late scheduled jobs start after their due time (Agenda polling, locking, load). */
  readonly jobLag = new Histogram({
    name: "job_lag_seconds",
    help: "Delay from a job's due time to its start, by job",
    labelNames: ["job"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60],
    registers: [this.registry],
  });

  /** Entries of a durable log (enrollment, quiz, attendance) not yet written to MongoDB: `<log>_log_backlog`. */
  registerBacklog(read: () => number, log = "enrollment"): void {
    new Gauge({
      name: `${log}_log_backlog`,
      help: `${log} log entries not yet written to MongoDB`,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    if (isClusterWorker()) AggregatorRegistry.setRegistries([this.registry]);
  }

  /** This process's metrics, or every worker's when running under the cluster primary. */
  async render(): Promise<{ text: string; contentType: string }> {
    if (isClusterWorker()) return clusterMetrics();
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
