import type { Evaluation, ObserveContext } from "@operator/core";
import { isUnknownEvaluation } from "@operator/core";
import { type PrometheusHarness, type SimCluster, startCluster, startPrometheus } from "@operator/tikv-sim";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PrometheusError, ResponseShapeError, type TikvSubject, tikvSubject } from "../src/index.ts";
import { METRIC_INVARIANTS as EVERY_METRIC_INVARIANT } from "../src/invariants/index.ts";
import { createCollector } from "../src/observe.ts";
import { createPdClient } from "../src/pd-client.ts";
import { createPrometheusClient } from "../src/prometheus-client.ts";
import { buildHolds, buildQueries } from "../src/queries.ts";
import { requestsWhenAllHold } from "./helpers/observations.ts";

/**
 * The whole subject against a simulated cluster scraped by a real Prometheus (Debian's 2.42).
 * Faults are injected through the simulator; every assertion polls until the subject sees them.
 */

const TIME_SCALE = 20;
const METRIC_INVARIANTS = ["high_latency", "low_disk_space", "raftstore_cpu", "write_stall", "leader_drop"];

let cluster: SimCluster;
let prometheus: PrometheusHarness;
let subject: TikvSubject;

beforeAll(async () => {
  cluster = await startCluster({
    stores: 3,
    tiflashStores: 1,
    timeScale: TIME_SCALE,
    maxStoreDownTimeMs: 120_000,
  });
  prometheus = await startPrometheus({
    targets: cluster.scrapeTargets,
    pdTargets: cluster.pdScrapeTargets,
    scrapeIntervalMs: 1000,
  });
  await prometheus.waitForSamples({ timeoutMs: 60_000 });
  subject = tikvSubject({
    name: "sim",
    pdUrl: cluster.pdUrl,
    prometheusUrl: prometheus.url,
    rateWindow: "10s",
    leaderDropWindow: "10s",
    timeoutMs: 5000,
  });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
});

beforeEach(async () => {
  await cluster.clearFaults();
});

type Results = Record<string, Evaluation>;

async function evaluate(): Promise<Results> {
  const context: ObserveContext = { signal: AbortSignal.timeout(15_000), deadline: Date.now() + 15_000 };
  const observation = await subject.observe(context);
  return Object.fromEntries(
    subject.invariants
      .filter((invariant) => invariant.defaults.enabled)
      .map((invariant) => [invariant.name, invariant.evaluate(observation, invariant.defaults)]),
  );
}

/** Evaluates every ~500 ms until `done` holds; fails with the last results after `timeoutMs`. */
async function until(done: (results: Results) => boolean, timeoutMs = 60_000): Promise<Results> {
  const stop = Date.now() + timeoutMs;
  let last: Results = {};
  while (Date.now() < stop) {
    last = await evaluate();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last results: ${JSON.stringify(last, null, 2)}`);
}

function result(results: Results, invariant: string, entity: string) {
  const evaluation = results[invariant];
  if (!evaluation || isUnknownEvaluation(evaluation)) return undefined;
  return evaluation.find((entry) => entry.entity === entity);
}

function entities(results: Results, invariant: string): string[] {
  const evaluation = results[invariant];
  return !evaluation || isUnknownEvaluation(evaluation) ? [] : evaluation.map((entry) => entry.entity).sort();
}

function numberValue(results: Results, invariant: string, entity: string, key: string): number {
  const entry = result(results, invariant, entity);
  const value = entry?.outcome === "violated" ? entry.values[key] : undefined;
  if (typeof value !== "number") throw new Error(`${invariant}/${entity} has no number ${key}`);
  return value;
}

const allOk = (results: Results) =>
  Object.values(results).every(
    (evaluation) => !isUnknownEvaluation(evaluation) && evaluation.every((r) => r.outcome === "ok"),
  );

describe("the Prometheus client against the real Prometheus", () => {
  it("reads one sample per store for a cluster-wide query, joined by instance", async () => {
    const client = createPrometheusClient({ url: prometheus.url });
    const result = await client.query('sum(tikv_store_size_bytes{type="capacity"}) by (instance)');
    const instances = result.samples.map((sample) => sample.labels.instance).sort();
    expect(instances).toEqual(cluster.scrapeTargets.map((target) => target.instance).sort());
    expect(result.samples.every((sample) => sample.value > 0 && sample.timestamp > 0)).toBe(true);
  });

  it("reads NaN and +Inf, and an empty vector", async () => {
    const client = createPrometheusClient({ url: prometheus.url });
    const [nan] = (await client.query("vector(0) / 0")).samples;
    expect(nan?.value).toBeNaN();
    const [inf] = (await client.query("vector(1) / 0")).samples;
    expect(inf?.value).toBe(Number.POSITIVE_INFINITY);
    expect((await client.query("no_such_metric_anywhere")).samples).toEqual([]);
  });

  it("a bad query is a PrometheusError with Prometheus's errorType", async () => {
    const client = createPrometheusClient({ url: prometheus.url });
    const error = await client.query("sum(up").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error).toMatchObject({
      status: 400,
      errorType: "bad_data",
      reason: "client_error",
      retryable: false,
    });
  });

  it("a range vector is refused as the wrong shape", async () => {
    const client = createPrometheusClient({ url: prometheus.url });
    const error = await client.query("up[5s]").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect(error).toMatchObject({ field: "data.resultType" });
  });
});

describe("the subject against a simulated cluster and a real Prometheus", () => {
  it("a healthy cluster: every invariant ok for every store, TiFlash left out of metrics", async () => {
    const results = await until(allOk);
    const tikvIds = cluster.stores
      .filter((store) => store.engine === "tikv")
      .map((store) => String(store.id));
    const tiflash = cluster.stores.find((store) => store.engine === "tiflash");
    expect(results.store_down).toHaveLength(cluster.stores.length);
    for (const name of METRIC_INVARIANTS) {
      expect(entities(results, name)).toEqual([...tikvIds].sort());
      expect(entities(results, name)).not.toContain(String(tiflash?.id));
    }
    expect(subject.stats.requests.prometheus).toBeGreaterThan(0);
  }, 90_000);

  it("a slow store violates high_latency, with its p99", async () => {
    cluster.slowStore(2, 0.4);
    const results = await until((r) => result(r, "high_latency", "2")?.outcome === "violated");
    expect(result(results, "high_latency", "2")).toMatchObject({
      outcome: "violated",
      values: { store_id: "2", thresholdSeconds: 0.1 },
    });
    expect(numberValue(results, "high_latency", "2", "p99Seconds")).toBeGreaterThan(0.1);
    expect(result(results, "high_latency", "1")?.outcome).toBe("ok");
  }, 90_000);

  it("a filled disk violates low_disk_space, with the sizes behind it", async () => {
    cluster.fillDisk(3, 0.9);
    const results = await until((r) => result(r, "low_disk_space", "3")?.outcome === "violated");
    const value = (key: string) => numberValue(results, "low_disk_space", "3", key);
    expect(value("usedRatio")).toBeGreaterThan(0.85);
    expect(value("usedRatio")).toBeLessThan(0.95);
    expect(value("capacityBytes")).toBeGreaterThan(0);
    expect(value("availableBytes")).toBeLessThan(value("capacityBytes") * 0.15);
    expect(result(results, "low_disk_space", "1")?.outcome).toBe("ok");
  }, 90_000);

  it("write stalls, leader drops and busy raftstores are seen on the right store", async () => {
    cluster.writeStall(1, true);
    cluster.raftstoreCpu(2, 2.5);
    cluster.leaderDrop(3);
    const results = await until(
      (r) =>
        result(r, "write_stall", "1")?.outcome === "violated" &&
        result(r, "raftstore_cpu", "2")?.outcome === "violated" &&
        result(r, "leader_drop", "3")?.outcome === "violated",
    );
    expect(result(results, "write_stall", "2")?.outcome).toBe("ok");
    expect(result(results, "raftstore_cpu", "1")?.outcome).toBe("ok");
    expect(result(results, "leader_drop", "3")).toMatchObject({ values: { store_id: "3" } });
  }, 90_000);

  it("regions with down peers or missing replicas violate region_health, with their ids", async () => {
    cluster.setRegionFault("down-peer", 3, 4);
    cluster.setRegionFault("miss-peer", 1, 2);
    const results = await until((r) => result(r, "region_health", "cluster")?.outcome === "violated");
    expect(result(results, "region_health", "cluster")).toMatchObject({
      outcome: "violated",
      message: "PD reports 4 regions with a down peer and 2 regions missing a replica",
      values: { downPeerRegions: 4, missPeerRegions: 2, downPeersByStore: { "3": 4 } },
    });
    const entry = result(results, "region_health", "cluster");
    expect(entry?.outcome === "violated" && entry.values.downPeerRegionIds).toHaveLength(4);
  }, 90_000);

  it("comparing in Prometheus finds what reading every sample finds, store by store", async () => {
    cluster.slowStore(2, 0.4);
    cluster.writeStall(1, true);
    cluster.raftstoreCpu(3, 2.5);
    await cluster.apply({ fault: "pending", store: 3, queue: "worker", count: 5000 });
    await cluster.apply({ fault: "critical-error", store: 2, count: 2 });
    await cluster.apply({ fault: "memory", store: 1, residentGiB: 15 });
    await cluster.apply({ fault: "process-cpu", store: 2, cores: 7.5 });
    cluster.fillDisk(3, 0.9);
    const windows = { rateWindow: "10s", leaderDropWindow: "10s" };
    const sources = {
      pd: createPdClient({ url: cluster.pdUrl }),
      prometheus: createPrometheusClient({ url: prometheus.url }),
      queries: buildQueries(windows),
    };
    const holds = buildHolds(windows);
    const compared = createCollector({ ...sources, holds });
    const everySample = createCollector(sources);
    const violated = [
      "high_latency",
      "write_stall",
      "raftstore_cpu",
      "worker_pending_tasks",
      "critical_error",
      "memory_quota",
      "cpu_quota",
      "low_disk_space",
    ];
    const outcomes = async (collect: typeof compared) => {
      const context: ObserveContext = { signal: AbortSignal.timeout(15_000), deadline: Date.now() + 15_000 };
      const observation = await collect(context);
      const byInvariant = Object.fromEntries(
        EVERY_METRIC_INVARIANT.map((invariant) => {
          const evaluation = invariant.evaluate(observation, invariant.defaults);
          return [
            invariant.name,
            isUnknownEvaluation(evaluation)
              ? "unknown"
              : Object.fromEntries(evaluation.map((entry) => [entry.entity, entry.outcome])),
          ];
        }),
      );
      return { observation, byInvariant };
    };
    let last: unknown;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const [fast, full] = [await outcomes(compared), await outcomes(everySample)];
      const seen = violated.every((name) => Object.values(fast.byInvariant[name] ?? {}).includes("violated"));
      if (seen && JSON.stringify(fast.byInvariant) === JSON.stringify(full.byInvariant)) {
        // Every store of the keys without a fault held: no sample of theirs was read.
        const readAfterComparing = Object.keys(holds).filter((key) => {
          const reading = fast.observation.metrics[key];
          return !(reading && "held" in reading && reading.held);
        });
        expect(readAfterComparing.length).toBeGreaterThanOrEqual(violated.length);
        expect(Object.keys(holds).length - readAfterComparing.length).toBeGreaterThan(10);
        expect(fast.observation.requests.prometheus).toBe(
          requestsWhenAllHold(sources.queries, holds) + readAfterComparing.length,
        );
        return;
      }
      last = { fast: fast.byInvariant, full: full.byInvariant };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`the two readings never agreed: ${JSON.stringify(last, null, 2)}`);
  }, 90_000);

  it("a stopped store violates store_down: Disconnected (warning), then Down, same key", async () => {
    cluster.stopStore(2);
    const stateOf = (r: Results) => {
      const entry = result(r, "store_down", "2");
      return entry?.outcome === "violated" ? entry.values.state_name : entry?.outcome;
    };
    const disconnected = await until((r) => stateOf(r) === "Disconnected");
    expect(result(disconnected, "store_down", "2")).toMatchObject({
      outcome: "violated",
      severity: "warning",
      message: expect.stringMatching(
        /^Store 2 \(.+\) is Disconnected: (no heartbeat for |last heartbeat at )/,
      ),
      values: { store_id: "2", state_name: "Disconnected" },
    });
    for (const name of METRIC_INVARIANTS) {
      expect(result(disconnected, name, "2")).toMatchObject({
        outcome: "unknown",
        reason: expect.stringContaining("Disconnected"),
      });
    }
    const down = await until((r) => stateOf(r) === "Down");
    expect(result(down, "store_down", "2")).toMatchObject({ entity: "2", outcome: "violated" });
    expect(result(down, "store_down", "2")).not.toHaveProperty("severity");
    cluster.startStore(2);
    await until((r) => result(r, "store_down", "2")?.outcome === "ok");
  }, 120_000);

  it("with Prometheus stopped, metric invariants are unknown while store_down still evaluates", async () => {
    cluster.stopStore(1);
    await until((r) => result(r, "store_down", "1")?.outcome === "violated");
    await prometheus.stop();
    const results = await evaluate();
    for (const name of METRIC_INVARIANTS) {
      const evaluation = results[name] as Evaluation;
      expect(isUnknownEvaluation(evaluation) && evaluation.unknown).toMatch(/Prometheus query failed/);
    }
    expect(result(results, "store_down", "1")?.outcome).toBe("violated");
    expect(result(results, "store_down", "3")?.outcome).toBe("ok");
    expect(result(results, "region_health", "cluster")).toBeDefined();
  }, 90_000);
});
