import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Severity } from "@operator/core";
import { SEVERITIES } from "@operator/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ListenAddress } from "./config.ts";

/** What the metrics need from one finished cycle (a subset of core's `CycleReport`). */
export interface CycleFacts {
  readonly startedAt: number;
  readonly durationMs: number;
  readonly violations: number;
  readonly unknown: number;
  readonly failures: Readonly<Record<string, string>>;
  /** Ticks this cycle missed by overrunning the interval. */
  readonly missedTicks: number;
}

/** The daemon's own metrics and the state behind `/healthz`. */
export interface MonitorMetrics {
  readonly registry: Registry;
  /** Records a finished cycle and, when known, the open tickets by severity afterwards. */
  recordCycle(cycle: CycleFacts, openTickets?: Readonly<Record<Severity, number>>): void;
  /** End time (epoch ms) of the last completed cycle, if any. */
  readonly lastCycleAt: number | undefined;
}

/** Creates the registry with `operator_*` metrics plus the standard `process_*`/`nodejs_*` ones. */
export function createMonitorMetrics(): MonitorMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const cycles = new Counter({ name: "operator_cycles_total", help: "Completed monitor cycles.", registers });
  const duration = new Histogram({
    name: "operator_cycle_duration_seconds",
    help: "Duration of monitor cycles.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const failures = new Counter({
    name: "operator_subject_failures_total",
    help: "Cycles in which a subject could not be read.",
    labelNames: ["subject"],
    registers,
  });
  const missed = new Counter({
    name: "operator_missed_ticks_total",
    help: "Cycle starts skipped because the previous cycle overran the interval.",
    registers,
  });
  const open = new Gauge({
    name: "operator_open_tickets",
    help: "Unresolved tickets by severity, after the last cycle.",
    labelNames: ["severity"],
    registers,
  });
  const violations = new Gauge({
    name: "operator_last_cycle_violations",
    help: "Violated results in the last cycle.",
    registers,
  });
  const unknown = new Gauge({
    name: "operator_last_cycle_unknown_results",
    help: "Results that could not be evaluated in the last cycle.",
    registers,
  });
  const last = new Gauge({
    name: "operator_last_cycle_timestamp_seconds",
    help: "Unix time at which the last cycle completed.",
    registers,
  });
  let lastCycleAt: number | undefined;
  return {
    registry,
    get lastCycleAt() {
      return lastCycleAt;
    },
    recordCycle(cycle, openTickets) {
      lastCycleAt = cycle.startedAt + cycle.durationMs;
      cycles.inc();
      duration.observe(cycle.durationMs / 1000);
      for (const subject of Object.keys(cycle.failures)) failures.inc({ subject });
      if (cycle.missedTicks > 0) missed.inc(cycle.missedTicks);
      violations.set(cycle.violations);
      unknown.set(cycle.unknown);
      last.set(lastCycleAt / 1000);
      if (openTickets) for (const severity of SEVERITIES) open.set({ severity }, openTickets[severity] ?? 0);
    },
  };
}

/** A running metrics server. */
export interface MetricsServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz`: 200 while a cycle has completed
 * within `3 × intervalMs` (counting from start-up before the first one), 503 otherwise, with a JSON
 * body saying how old the last cycle is.
 */
export async function startMetricsServer(options: {
  listen: ListenAddress;
  metrics: MonitorMetrics;
  intervalMs: number;
  now?: () => number;
}): Promise<MetricsServer> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/metrics") {
      options.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": options.metrics.registry.contentType }).end(text),
        (error: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`),
      );
      return;
    }
    if (path === "/healthz") {
      const last = options.metrics.lastCycleAt;
      const age = now() - (last ?? startedAt);
      const healthy = age <= 3 * options.intervalMs;
      const body = {
        status: healthy ? "ok" : "stale",
        lastCycleAt: last === undefined ? null : new Date(last).toISOString(),
        ageSeconds: Math.round(age / 100) / 10,
        maxAgeSeconds: (3 * options.intervalMs) / 1000,
      };
      res
        .writeHead(healthy ? 200 : 503, { "content-type": "application/json" })
        .end(`${JSON.stringify(body)}\n`);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics or /healthz\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
