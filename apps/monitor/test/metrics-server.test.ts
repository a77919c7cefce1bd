import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CycleFacts,
  createMonitorMetrics,
  type MetricsServer,
  startMetricsServer,
} from "../src/metrics-server.ts";
import { waitFor } from "./helpers/net.ts";

const idleCycle: CycleFacts = {
  startedAt: 0,
  durationMs: 0,
  violations: 0,
  unknown: 0,
  failures: {},
  missedTicks: 0,
};

interface IdleSocket {
  readonly socket: Socket;
  closed: boolean;
  received: string;
}

/** Opens `count` connections to 127.0.0.1:`port` that send nothing, and tracks when each is closed. */
async function openIdleSockets(port: number, count: number): Promise<IdleSocket[]> {
  const opened: IdleSocket[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(port, "127.0.0.1");
          const entry: IdleSocket = { socket, closed: false, received: "" };
          opened.push(entry);
          socket.on("data", (chunk: Buffer) => {
            entry.received += chunk.toString();
          });
          socket.on("error", () => undefined);
          socket.on("close", () => {
            entry.closed = true;
            resolve();
          });
          socket.on("connect", () => resolve());
        }),
    ),
  );
  return opened;
}

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
        sourceFailures: { prod: { prometheus: "connection refused" } },
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
    expect(text).toMatch(/^operator_source_failures_total\{subject="prod",source="prometheus"\} 1$/m);
    expect(text).toMatch(/^operator_missed_ticks_total 5$/m);
    expect(text).toMatch(/^operator_open_tickets\{severity="critical"\} 0$/m);
    expect(text).toMatch(/^operator_open_tickets\{severity="warning"\} 3$/m);
    expect(text).toMatch(/^operator_last_cycle_timestamp_seconds 1700000001\.1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it("/healthz is 200 while cycles are recent and 503 once none completed within three intervals", async () => {
    let clock = 1_000_000;
    const metrics = createMonitorMetrics({ monotonic: () => clock });
    server = await startMetricsServer({ listen: { host: "127.0.0.1", port: 0 }, metrics, intervalMs: 1000 });
    const health = async () => {
      const response = await fetch(`${server?.url}/healthz`);
      return { status: response.status, body: await response.json() };
    };
    expect(await health()).toMatchObject({ status: 200, body: { status: "ok", lastCycleAt: null } });
    clock += 3500;
    expect(await health()).toMatchObject({
      status: 503,
      body: { status: "stale", ageSeconds: 3.5, maxAgeSeconds: 3 },
    });
    const wall = Date.UTC(2027, 0, 1);
    metrics.recordCycle({ ...idleCycle, startedAt: wall - 100, durationMs: 100 });
    expect(await health()).toMatchObject({
      status: 200,
      body: { status: "ok", lastCycleAt: new Date(wall).toISOString() },
    });
    clock += 2900;
    expect((await health()).status).toBe(200);
    clock += 200;
    expect((await health()).status).toBe(503);
  });

  it("/healthz measures age on the monotonic clock: a wall-clock step back does not hide a stalled loop", async () => {
    let clock = 50_000;
    const metrics = createMonitorMetrics({ monotonic: () => clock });
    server = await startMetricsServer({ listen: { host: "127.0.0.1", port: 0 }, metrics, intervalMs: 1000 });
    // The cycle's wall-clock time lies an hour ahead of the current wall clock (it stepped back since).
    metrics.recordCycle({ ...idleCycle, startedAt: Date.now() + 3_600_000, durationMs: 10 });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    clock += 3001;
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: "stale", ageSeconds: 3 });
  });

  it("/healthz is 503 with the reason once the daemon has failed, however recent the last cycle", async () => {
    const metrics = createMonitorMetrics();
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics,
      intervalMs: 60_000,
    });
    metrics.recordCycle({ ...idleCycle, startedAt: Date.now(), durationMs: 1 });
    metrics.fail("Database /x.db was deleted while open");
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: "failed",
      reason: "Database /x.db was deleted while open",
    });
  });

  it("caps connections by evicting the oldest idle ones, so a flood of idle sockets cannot keep /healthz away", async () => {
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics: createMonitorMetrics(),
      intervalMs: 1000,
      limits: { maxConnections: 50, idleTimeoutMs: 60_000, headersTimeoutMs: 60_000 },
    });
    const sockets = await openIdleSockets(Number(new URL(server.url).port), 300);
    await waitFor(
      () => (sockets.filter((s) => s.closed).length >= 250 ? true : undefined),
      10_000,
      "evictions",
    );
    expect(sockets.filter((s) => !s.closed).length).toBeLessThanOrEqual(50);
    // The flood still holds every slot; a real client gets in anyway and is answered.
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(health.status).toBe(200);
    for (const s of sockets) s.socket.destroy();
  });

  it("closes connections that stay idle past the idle timeout", async () => {
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics: createMonitorMetrics(),
      intervalMs: 1000,
      limits: { idleTimeoutMs: 500 },
    });
    const sockets = await openIdleSockets(Number(new URL(server.url).port), 20);
    await waitFor(() => (sockets.every((s) => s.closed) ? true : undefined), 10_000, "idle sockets closed");
  });

  it("answers /healthz while many idle sockets are open below the cap", async () => {
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics: createMonitorMetrics(),
      intervalMs: 1000,
    });
    const sockets = await openIdleSockets(Number(new URL(server.url).port), 200);
    expect((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    for (const s of sockets) s.socket.destroy();
  });

  it("closes a connection that trickles its headers past the headers timeout", async () => {
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics: createMonitorMetrics(),
      intervalMs: 1000,
      limits: { headersTimeoutMs: 500, idleTimeoutMs: 60_000 },
    });
    const [slow] = await openIdleSockets(Number(new URL(server.url).port), 1);
    if (!slow) throw new Error("no socket");
    slow.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    const drip = setInterval(() => {
      if (!slow.closed) slow.socket.write("X-Slow: 1\r\n");
    }, 100);
    try {
      await waitFor(() => (slow.closed ? true : undefined), 10_000, "slow client closed");
    } finally {
      clearInterval(drip);
    }
    expect(slow.received).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it("refuses a request body (413) and headers over 8 KiB (431)", async () => {
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics: createMonitorMetrics(),
      intervalMs: 1000,
    });
    const withBody = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server?.url}/healthz`,
        { method: "GET", headers: { "content-length": "1000" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("x".repeat(1000));
    });
    expect(withBody).toBe(413);
    const big = await fetch(`${server.url}/healthz`, { headers: { "x-big": "y".repeat(12_000) } });
    expect(big.status).toBe(431);
  });

  it("renders /metrics once for a burst of concurrent scrapes, again after a cycle or a second", async () => {
    let clock = 0;
    const metrics = createMonitorMetrics({ monotonic: () => clock });
    const render = metrics.registry.metrics.bind(metrics.registry);
    let renders = 0;
    metrics.registry.metrics = () => {
      renders++;
      return render();
    };
    server = await startMetricsServer({ listen: { host: "127.0.0.1", port: 0 }, metrics, intervalMs: 1000 });
    await fetch(`${server.url}/metrics`);
    const bodies = await Promise.all(
      Array.from({ length: 50 }, async () => (await fetch(`${server?.url}/metrics`)).text()),
    );
    expect(bodies.every((b) => /^operator_cycles_total 0$/m.test(b))).toBe(true);
    expect(renders).toBe(1);
    metrics.recordCycle({ ...idleCycle, startedAt: Date.now() });
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^operator_cycles_total 1$/m);
    expect(renders).toBe(2);
    clock += 1001;
    await fetch(`${server.url}/metrics`);
    expect(renders).toBe(3);
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

describe("POST /-/reload", () => {
  it("answers a reload that outlasts the idle timeout (it waits for the cycle in flight)", async () => {
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics: createMonitorMetrics(),
      intervalMs: 1000,
      limits: { idleTimeoutMs: 300 },
      reload: () =>
        new Promise((resolve) =>
          setTimeout(() => resolve({ ok: true, message: "Configuration reloaded" }), 1000),
        ),
    });
    const response = await fetch(`${server.url}/-/reload`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "reloaded", message: "Configuration reloaded" });
  });

  it("refuses a request body like every other path", async () => {
    let calls = 0;
    server = await startMetricsServer({
      listen: { host: "127.0.0.1", port: 0 },
      metrics: createMonitorMetrics(),
      intervalMs: 1000,
      reload: async () => {
        calls++;
        return { ok: true, message: "reloaded" };
      },
    });
    const response = await fetch(`${server.url}/-/reload`, { method: "POST", body: "x" });
    expect(response.status).toBe(413);
    expect(calls).toBe(0);
  });
});
