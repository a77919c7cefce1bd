import type { EntityResult, Evaluation, ObserveContext } from "@operator/core";
import { isUnknownEvaluation } from "@operator/core";
import { type PrometheusHarness, type SimCluster, startCluster, startPrometheus } from "@operator/tikv-sim";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readBatched } from "../src/batched-reads.ts";
import { type TikvSubject, tikvSubject } from "../src/index.ts";
import { buildPdQueries } from "../src/pd-health.ts";
import { createPrometheusClient, type Sample } from "../src/prometheus-client.ts";

/**
 * The PD rule invariants against a simulated cluster with three PD members, scraped (TiKV stores
 * and every PD member) by a real Prometheus. Faults are injected through the simulator; every
 * assertion polls until the subject sees them.
 */

const PD_RULES = [
  "slow_store",
  "store_low_space",
  "pending_peers",
  "pd_member_health",
  "pd_leader_changes",
  "pd_etcd_wal_fsync",
  "pd_etcd_peer_latency",
  "pd_clock_slow",
  "pd_cpu_quota",
  "pd_memory_quota",
  "pd_etcd_quota",
];

let cluster: SimCluster;
let prometheus: PrometheusHarness;
let subject: TikvSubject;

function newSubject(): TikvSubject {
  return tikvSubject({ name: "sim", pdUrl: cluster.pdUrl, prometheusUrl: prometheus.url, rateWindow: "10s" });
}

beforeAll(async () => {
  cluster = await startCluster({ stores: 3, pdMembers: 3, timeScale: 20, maxStoreDownTimeMs: 120_000 });
  prometheus = await startPrometheus({
    targets: cluster.scrapeTargets,
    pdTargets: cluster.pdScrapeTargets,
    scrapeIntervalMs: 1000,
  });
  await prometheus.waitForSamples({ timeoutMs: 60_000 });
  subject = newSubject();
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
});

beforeEach(async () => {
  await cluster.clearFaults();
});

type Results = Record<string, Evaluation>;

async function evaluate(on: TikvSubject = subject): Promise<Results> {
  const context: ObserveContext = { signal: AbortSignal.timeout(15_000), deadline: Date.now() + 15_000 };
  const observation = await on.observe(context);
  return Object.fromEntries(
    on.invariants.map((invariant) => [invariant.name, invariant.evaluate(observation, invariant.defaults)]),
  );
}

async function until(
  done: (results: Results) => boolean,
  on?: TikvSubject,
  timeoutMs = 60_000,
): Promise<Results> {
  const stop = Date.now() + timeoutMs;
  let last: Results = {};
  while (Date.now() < stop) {
    last = await evaluate(on);
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last results: ${JSON.stringify(last, null, 2)}`);
}

function result(results: Results, invariant: string, entity: string): EntityResult | undefined {
  const evaluation = results[invariant];
  if (!evaluation || isUnknownEvaluation(evaluation)) return undefined;
  return evaluation.find((entry) => entry.entity === entity);
}

/** The p99 a violation carries (0 when not violated). */
function p99(results: Results, invariant: string, entity: string): number {
  const entry = result(results, invariant, entity);
  const value = entry?.outcome === "violated" ? entry.values.p99Seconds : undefined;
  return typeof value === "number" ? value : 0;
}

const outcome = (results: Results, invariant: string, entity: string) =>
  result(results, invariant, entity)?.outcome;

describe("PD rule invariants against a simulated cluster and a real Prometheus", () => {
  it("a healthy cluster: every PD rule ok for every store and member", async () => {
    const results = await until((r) =>
      PD_RULES.every((name) => {
        const evaluation = r[name];
        return (
          !!evaluation && !isUnknownEvaluation(evaluation) && evaluation.every((e) => e.outcome === "ok")
        );
      }),
    );
    for (const name of PD_RULES.filter((rule) => rule.startsWith("pd_") && rule !== "pd_leader_changes")) {
      expect((results[name] as EntityResult[]).map((e) => e.entity).sort()).toEqual(["pd-1", "pd-2", "pd-3"]);
    }
    expect((results.slow_store as EntityResult[]).map((e) => e.entity).sort()).toEqual(["1", "2", "3"]);
    expect(results.pd_leader_changes).toEqual([{ entity: "cluster", outcome: "ok" }]);
  }, 90_000);

  it("a slow store, a nearly full disk and many pending peers, each on its own store", async () => {
    cluster.slowScore(2, 90);
    cluster.fillDisk(3, 0.95);
    cluster.setRegionFault("pending-peer", 1, 120);
    const results = await until(
      (r) =>
        outcome(r, "slow_store", "2") === "violated" &&
        outcome(r, "store_low_space", "3") === "violated" &&
        outcome(r, "pending_peers", "cluster") === "violated",
    );
    expect(result(results, "slow_store", "2")).toMatchObject({
      values: { slowScore: 90, thresholdScore: 80 },
    });
    expect(outcome(results, "slow_store", "1")).toBe("ok");
    expect(result(results, "store_low_space", "3")).toMatchObject({
      severity: "critical",
      values: { store_id: "3", thresholdRatio: 0.2 },
    });
    expect(outcome(results, "store_low_space", "1")).toBe("ok");
    expect(result(results, "pending_peers", "cluster")).toMatchObject({
      message: "PD reports 120 regions with a pending peer (threshold 100); most on store 1 (120)",
    });
  }, 90_000);

  it("an unhealthy member violates pd_member_health and makes its own metric results unknown", async () => {
    cluster.setPdMemberHealth("pd-3", false);
    const results = await until(
      (r) =>
        outcome(r, "pd_member_health", "pd-3") === "violated" &&
        outcome(r, "pd_etcd_wal_fsync", "pd-3") === "unknown",
    );
    expect(result(results, "pd_member_health", "pd-3")).toMatchObject({
      message: "PD member pd-3 (http://pd-3.sim:2379) is unhealthy: it did not answer PD's health check",
      values: { quorumLost: false },
    });
    expect(outcome(results, "pd_member_health", "pd-1")).toBe("ok");
    expect(outcome(results, "pd_etcd_wal_fsync", "pd-1")).toBe("ok");
  }, 90_000);

  it("two leader changes seen between cycles violate pd_leader_changes, with the moves", async () => {
    const watcher = newSubject();
    await until((r) => outcome(r, "pd_leader_changes", "cluster") === "ok", watcher);
    cluster.transferPdLeader("pd-2");
    expect((await evaluate(watcher)).pd_leader_changes).toEqual([{ entity: "cluster", outcome: "ok" }]);
    cluster.transferPdLeader("pd-1");
    const [changed] = (await evaluate(watcher)).pd_leader_changes as EntityResult[];
    expect(changed).toMatchObject({
      outcome: "violated",
      message: "PD leader changed 2 times within 10m (pd-1 -> pd-2, pd-2 -> pd-1); more than 1",
      values: { changes: 2, seenChanges: 2, leader: "pd-1" },
    });
  }, 60_000);

  it("members that saved TSO in the window count as leaders, even on a subject's first cycle", async () => {
    cluster.transferPdLeader("pd-2");
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    cluster.transferPdLeader("pd-3");
    const results = await until(
      (r) => outcome(r, "pd_leader_changes", "cluster") === "violated",
      newSubject(),
    );
    expect(result(results, "pd_leader_changes", "cluster")).toMatchObject({
      values: { leadersInWindow: ["pd-1", "pd-2", "pd-3"], changes: 2 },
    });
  }, 60_000);

  it("a slow WAL disk, a slow peer link and a clock step back, each named by member", async () => {
    cluster.pdFsync("pd-2", 2);
    cluster.pdPeerRtt("pd-3", 1.5);
    cluster.pdClockBackward("pd-1");
    const results = await until(
      (r) =>
        p99(r, "pd_etcd_wal_fsync", "pd-2") > 1.9 &&
        outcome(r, "pd_etcd_peer_latency", "pd-3") === "violated" &&
        outcome(r, "pd_clock_slow", "pd-1") === "violated",
      undefined,
      75_000,
    );
    expect(p99(results, "pd_etcd_wal_fsync", "pd-2")).toBeLessThan(2.1);
    expect(outcome(results, "pd_etcd_wal_fsync", "pd-1")).toBe("ok");
    expect(result(results, "pd_etcd_peer_latency", "pd-3")).toMatchObject({
      message: expect.stringMatching(
        /^PD member pd-3 \(http:\/\/pd-3\.sim:2379\) round trip to peer pd-[12] has p99 1\.\d+ s/,
      ),
    });
    expect(outcome(results, "pd_etcd_peer_latency", "pd-2")).toBe("ok");
    expect(outcome(results, "pd_clock_slow", "pd-2")).toBe("ok");
  }, 90_000);

  it("a busy CPU, a memory-hungry process and a nearly full etcd backend, each on its member, then clear", async () => {
    cluster.pdCpu("pd-2", 7);
    cluster.pdMemory("pd-3", 14);
    cluster.pdDbSize("pd-1", 7900);
    const results = await until(
      (r) =>
        outcome(r, "pd_cpu_quota", "pd-2") === "violated" &&
        outcome(r, "pd_memory_quota", "pd-3") === "violated" &&
        outcome(r, "pd_etcd_quota", "pd-1") === "violated",
    );
    expect(result(results, "pd_cpu_quota", "pd-2")).toMatchObject({
      message: expect.stringMatching(
        /^PD member pd-2 \(http:\/\/pd-2\.sim:2379\) uses \d+\.\d% of its CPU quota/,
      ),
      values: { member: "pd-2", quota: 8, thresholdRatio: 0.8 },
    });
    expect(result(results, "pd_memory_quota", "pd-3")).toMatchObject({
      values: { ratio: 0.875, used: 14 * 1024 ** 3, quota: 16 * 1024 ** 3 },
    });
    expect(result(results, "pd_etcd_quota", "pd-1")).toMatchObject({
      severity: "critical",
      values: { used: 7900 * 1024 ** 2, quota: 8 * 1024 ** 3 },
    });
    const others = { pd_cpu_quota: "pd-2", pd_memory_quota: "pd-3", pd_etcd_quota: "pd-1" };
    for (const [invariant, faulty] of Object.entries(others)) {
      for (const member of ["pd-1", "pd-2", "pd-3"].filter((name) => name !== faulty)) {
        expect(outcome(results, invariant, member), `${invariant} ${member}`).toBe("ok");
      }
    }
    await cluster.clearFaults();
    const cleared = await until((r) =>
      Object.keys(others).every((invariant) =>
        ["pd-1", "pd-2", "pd-3"].every((member) => outcome(r, invariant, member) === "ok"),
      ),
    );
    expect(Object.keys(others).map((invariant) => (cleared[invariant] as EntityResult[]).length)).toEqual([
      3, 3, 3,
    ]);
  }, 150_000);

  it("PD's metric queries read in one batched request give exactly what each query gives alone", async () => {
    cluster.pdFsync("pd-2", 2);
    cluster.pdCpu("pd-3", 7);
    cluster.pdClockBackward("pd-1");
    await until(
      (r) => outcome(r, "pd_cpu_quota", "pd-3") === "violated" && p99(r, "pd_etcd_wal_fsync", "pd-2") > 1,
    );
    const client = createPrometheusClient({ url: prometheus.url });
    const queries = Object.values(buildPdQueries("10s"));
    const time = Date.now() - 1000;
    const batched = await readBatched(client, queries, {}, { time });
    const alone = await Promise.all(queries.map((query) => client.query(query, {}, { time })));
    const sorted = (samples: readonly Sample[]) => samples.map((sample) => JSON.stringify(sample)).sort();
    expect(batched.map((answer) => ("error" in answer ? answer : sorted(answer.samples)))).toEqual(
      alone.map((answer) => sorted(answer.samples)),
    );
    expect(alone.filter((answer) => answer.samples.length > 0)).toHaveLength(queries.length);
  }, 90_000);
});
