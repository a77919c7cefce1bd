import { afterEach, describe, expect, it } from "vitest";
import { createMonitorMetrics, type MetricsServer, startMetricsServer } from "../src/metrics-server.ts";

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("metrics server", () => {
  it("serves the operator metrics after a cycle", async () => {
    const metrics = createMonitorMetrics();
    server = await startMetricsServer({ listen: { host: "127.0.0.1", port: 0 }, metrics, intervalMs: 1000 });
    metrics.recordCycle(
      {
        startedAt: 1_700_000_000_000,
        durationMs: 250,
        violations: 2,
        unknown: 1,
        failures: { prod: "timeout" },
        missedTicks: 2,
      },
      { critical: 1, warning: 3, info: 0 },
    );
    metrics.recordCycle(
      {
        startedAt: 1_700_000_001_000,
        durationMs: 100,
        violations: 0,
        unknown: 0,
        failures: {},
        missedTicks: 3,
      },
      { critical: 0, warning: 3, info: 0 },
    );
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^operator_cycles_total 2$/m);
    expect(text).toMatch(/^operator_cycle_duration_seconds_count 2$/m);
    expect(text).toMatch(/^operator_cycle_duration_seconds_sum 0\.35$/m);
    expect(text).toMatch(/^operator_subject_failures_total\{subject="prod"\} 1$/m);
    expect(text).toMatch(/^operator_missed_ticks_total 5$/m);
    expect(text).toMatch(/^operator_open_tickets\{severity="critical"\} 0$/m);
    expect(text).toMatch(/^operator_open_tickets\{severity="warning"\} 3$/m);
    expect(text).toMatch(/^operator_last_cycle_timestamp_seconds 1700000001\.1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it("/healthz is 200 while cycles are recent and 503 once none completed within three intervals", async () => {
    let now = 1_000_000;
    const metrics = createMonitorMetrics();
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics,
      intervalMs: 1000,
      now: () => now,
    });
    const health = async () => {
      const response = await fetch(`${server?.url}/healthz`);
      return { status: response.status, body: await response.json() };
    };
    expect(await health()).toMatchObject({ status: 200, body: { status: "ok", lastCycleAt: null } });
    now += 3500;
    expect(await health()).toMatchObject({
      status: 503,
      body: { status: "stale", ageSeconds: 3.5, maxAgeSeconds: 3 },
    });
    metrics.recordCycle({
      startedAt: now - 100,
      durationMs: 100,
      violations: 0,
      unknown: 0,
      failures: {},
      missedTicks: 0,
    });
    expect(await health()).toMatchObject({
      status: 200,
      body: { status: "ok", lastCycleAt: new Date(now).toISOString() },
    });
    now += 2900;
    expect((await health()).status).toBe(200);
    now += 200;
    expect((await health()).status).toBe(503);
  });

  it("answers 404 elsewhere", async () => {
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics: createMonitorMetrics(),
      intervalMs: 1000,
    });
    expect((await fetch(`${server.url}/`)).status).toBe(404);
  });
});
