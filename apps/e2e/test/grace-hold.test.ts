import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Environment,
  isUnresolved,
  runCleanups,
  showTicket,
  startEnvironment,
  ticketAction,
  waitFor,
  waitForAllPassing,
} from "../src/index.ts";

/** Short windows so that a latency spike shows within seconds: rate over 4 s of 1 s scrapes. */
const FAST_METRICS = { rateWindow: "4s" } as const;
/** A p99 far above any latency threshold. */
const SLOW_P99_SECONDS = 2.5;

/**
 * Scenarios 3, 5 and 8: grace periods, holds, and a Prometheus outage. The outage stops this file's
 * Prometheus, so it runs last.
 */
describe("grace periods, holds and a Prometheus outage", () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment({ stores: 3 });
  });
  afterEach(async () => {
    await env.stopMonitors();
    await env.resetFaults();
  });
  afterAll(runCleanups);

  it("3. a latency spike shorter than the grace period opens nothing; a long one opens high_latency", async () => {
    const graceMs = 12_000;
    const run = await env.startMonitor({
      subject: "latency",
      subjectOptions: FAST_METRICS,
      invariants: { high_latency: { for: `${graceMs}ms` } },
    });
    await waitForAllPassing(run);

    // Short spike: ends as soon as Prometheus sees it, so it shows for a few seconds plus the rate
    // window, well under the grace period.
    await env.cluster.slowStore(2, SLOW_P99_SECONDS);
    await waitForLatencySeen(env, 2);
    await env.cluster.slowStore(2, null);
    await waitForLatencyNormal(env, 2);
    const beats = run.process.heartbeats().length;
    await run.process.waitForHeartbeat({ after: beats, count: 3 });
    expect(await run.tickets()).toEqual([]);

    // Long spike: stays until the ticket is open.
    const slowSince = Date.now();
    await env.cluster.slowStore(2, SLOW_P99_SECONDS);
    const ticket = await run.waitForTicket(
      (t) => t.key === "latency/high_latency/2" && isUnresolved(t),
      "a high_latency ticket for store 2",
      60_000,
    );
    expect(ticket.firstSeenAt).toBeGreaterThanOrEqual(slowSince);
    expect(ticket.lastSeenAt - ticket.firstSeenAt).toBeGreaterThanOrEqual(graceMs);
    expect((await run.tickets()).map((t) => t.key)).toEqual(["latency/high_latency/2"]);
  });

  it("5. a held ticket stays open after recovery; after unhold it resolves on the next clear cycle", async () => {
    const run = await env.startMonitor({ subject: "hold" });
    await waitForAllPassing(run);
    await env.cluster.stopStore(3);
    const opened = await run.waitForTicket(
      (t) => t.key === "hold/store_down/3",
      "a store_down ticket for store 3",
    );
    await ticketAction(run.dbPath, "hold", opened.id);
    expect((await run.tickets()).find((t) => t.id === opened.id)?.held).toBe(true);

    await env.cluster.startStore(3);
    await waitForAllPassing(run);
    const clearFrom = run.process.heartbeats().length;
    await run.process.waitForHeartbeat({ after: clearFrom, count: 3 });
    const held = (await run.tickets()).find((t) => t.id === opened.id);
    expect(held).toMatchObject({ status: "open", held: true, resolvedAt: null });

    const unheldAt = Date.now();
    await ticketAction(run.dbPath, "unhold", opened.id);
    const resolved = await run.waitForTicket(
      (t) => t.id === opened.id && t.status === "resolved",
      "the unheld ticket to resolve",
    );
    expect(resolved).toMatchObject({ held: false, resolvedBy: "monitor" });
    expect(resolved.resolvedAt ?? Number.NaN).toBeGreaterThanOrEqual(unheldAt);
    // Next clear cycle: at most the cycle in flight when the hold was lifted completes in between.
    const { events } = await showTicket(run.dbPath, opened.id);
    const unheld = events.find((e) => e.kind === "unheld")?.at ?? Number.NaN;
    const resolvedEvent = events.find((e) => e.kind === "resolved")?.at ?? Number.NaN;
    expect(events.map((e) => e.kind)).toEqual(["opened", "held", "unheld", "resolved"]);
    const between = run.process.heartbeats().filter((b) => b.at > unheld && b.at < resolvedEvent);
    expect(between.length, run.process.transcript()).toBeLessThanOrEqual(1);
    expect(await run.tickets()).toHaveLength(1);
  });

  it("8. Prometheus down: metric invariants are unknown and resolve nothing; store_down from PD still opens", async () => {
    const run = await env.startMonitor({
      subject: "prom-down",
      subjectOptions: FAST_METRICS,
      invariants: { high_latency: { for: "0s" } },
    });
    await waitForAllPassing(run);
    await env.cluster.slowStore(1, SLOW_P99_SECONDS);
    const latency = await run.waitForTicket(
      (t) => t.key === "prom-down/high_latency/1" && isUnresolved(t),
      "a high_latency ticket for store 1",
      60_000,
    );

    await env.prometheus.stop();
    await env.cluster.slowStore(1, null);
    const outageFrom = run.process.heartbeats().length;
    await run.process.waitForHeartbeat({ after: outageFrom, count: 4 });
    // Every metric invariant is unknown for every store once Prometheus is gone.
    const outageBeats = run.process.heartbeats().slice(outageFrom + 1);
    for (const beat of outageBeats) expect(beat.text).toMatch(/\b\d+ unknown\b/);
    expect((await run.tickets()).find((t) => t.id === latency.id)).toMatchObject({
      status: "open",
      resolvedAt: null,
    });

    await env.cluster.stopStore(2);
    const down = await run.waitForTicket(
      (t) => t.key === "prom-down/store_down/2" && isUnresolved(t),
      "a store_down ticket for store 2 while Prometheus is down",
    );
    expect(down.invariant).toBe("store_down");
    const after = await run.tickets();
    expect(after.filter((t) => t.status === "resolved")).toEqual([]);
    expect(after.find((t) => t.id === latency.id)?.status).toBe("open");
  });
});

// --- Internal helpers ---

/** The p99 PromQL of one store, over the same short window the daemon uses. */
function p99Query(env: Environment, storeId: number): string {
  const instance = env.instanceOf(storeId);
  return `histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{instance="${instance}"}[${FAST_METRICS.rateWindow}])) by (le))`;
}

async function p99(env: Environment, storeId: number): Promise<number> {
  const samples = await env.prometheus.query(p99Query(env, storeId));
  const value = samples[0]?.value ?? Number.NaN;
  if (!Number.isFinite(value)) throw new Error(`no p99 sample for store ${storeId}`);
  return value;
}

/** Waits until Prometheus itself sees the slowness: proof that the short spike was visible. */
async function waitForLatencySeen(env: Environment, storeId: number): Promise<void> {
  await waitFor(async () => (await p99(env, storeId)) > 1, {
    timeoutMs: 20_000,
    description: `Prometheus to see a high p99 on store ${storeId}`,
  });
}

async function waitForLatencyNormal(env: Environment, storeId: number): Promise<void> {
  await waitFor(async () => (await p99(env, storeId)) < 0.05, {
    timeoutMs: 20_000,
    description: `Prometheus to see a normal p99 on store ${storeId}`,
  });
}
