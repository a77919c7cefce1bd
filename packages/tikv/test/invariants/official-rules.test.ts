import { applyOverrides, type EntityResult, type Evaluation, isUnknownEvaluation } from "@operator/core";
import { describe, expect, it } from "vitest";
import { METRIC_INVARIANTS, type MetricInvariant } from "../../src/invariants/index.ts";
import type { TikvObservation } from "../../src/observation.ts";
import { collectQueries } from "../../src/queries.ts";
import { observation, recordedReadings } from "../helpers/observations.ts";

/** The official-rule invariants on recorded answers (fixtures/prometheus-official-rules.json). */

const WINDOWS = { rateWindow: "1m", leaderDropWindow: "30s" };
const ORIGINAL = new Set(["high_latency", "low_disk_space", "raftstore_cpu", "write_stall", "leader_drop"]);
const CLUSTER_WIDE = new Set(["gc_not_working", "report_failure"]);
const PER_STORE = METRIC_INVARIANTS.filter((inv) => !ORIGINAL.has(inv.name) && !CLUSTER_WIDE.has(inv.name));

function byName(name: string): MetricInvariant {
  const found = METRIC_INVARIANTS.find((invariant) => invariant.name === name);
  if (!found) throw new Error(`no invariant ${name}`);
  return found;
}

function keysOf(invariant: MetricInvariant): string[] {
  return Object.keys(invariant.queries({ windows: WINDOWS, settings: invariant.defaults }));
}

function byStore(evaluation: Evaluation): Map<string, EntityResult> {
  if (isUnknownEvaluation(evaluation))
    throw new Error(`unexpected unknown evaluation: ${evaluation.unknown}`);
  return new Map(evaluation.map((result) => [result.entity, result]));
}

function run(invariant: MetricInvariant, metrics: TikvObservation["metrics"] = recordedReadings()) {
  return invariant.evaluate(observation({ metrics }), invariant.defaults);
}

function message(invariant: string, entity = "8"): string | undefined {
  const result = byStore(run(byName(invariant))).get(entity);
  return result?.outcome === "violated" ? result.message : undefined;
}

describe.each(PER_STORE.map((invariant) => [invariant.name, invariant] as const))(
  "%s on recorded answers",
  (_name, invariant) => {
    it("flags the broken store with its values, holds for the healthy ones", () => {
      const results = byStore(run(invariant));
      const broken = results.get("8");
      expect(broken).toMatchObject({
        outcome: "violated",
        values: { store_id: "8", instance: "10.0.1.8:20180" },
      });
      expect(broken?.outcome === "violated" && broken.message).toMatch(/^Store 8 \(10\.0\.1\.8:20160\) /);
      expect(broken?.outcome === "violated" && broken.values.query).toBe(
        recordedReadings()[keysOf(invariant)[0] as string]?.query,
      );
      expect(results.get("1")).toEqual({ entity: "1", outcome: "ok" });
      expect(results.get("6")).toEqual({ entity: "6", outcome: "ok" });
    });

    it("is unknown for Disconnected and Down stores and leaves TiFlash out", () => {
      const results = byStore(run(invariant));
      expect(results.get("4")).toMatchObject({
        outcome: "unknown",
        reason: expect.stringContaining("Disconnected"),
      });
      expect(results.get("5")).toMatchObject({ outcome: "unknown", reason: expect.stringContaining("Down") });
      expect(results.has("7")).toBe(false);
    });

    it("a store without samples is unknown; a failed or missing query makes it unknown as a whole", () => {
      const readings = recordedReadings();
      for (const key of keysOf(invariant)) {
        const reading = readings[key];
        if (!reading || !("samples" in reading)) throw new Error(`no recorded ${key}`);
        const without1 = {
          ...reading,
          samples: reading.samples.filter((s) => s.labels.instance !== "10.0.1.1:20180"),
        };
        expect(byStore(run(invariant, { ...readings, [key]: without1 })).get("1")).toMatchObject({
          outcome: "unknown",
          reason: `No ${key} sample for store 1 (instance "10.0.1.1:20180")`,
        });
        const failed = {
          query: reading.query,
          error: { reason: "timeout" as const, message: "query timed out" },
        };
        expect(run(invariant, { ...readings, [key]: failed })).toEqual({
          unknown: "Prometheus query failed: query timed out",
        });
        const { [key]: _gone, ...rest } = readings;
        expect(isUnknownEvaluation(run(invariant, rest))).toBe(true);
      }
    });

    it("has a runbook hint and a threshold that configuration can raise above the broken value (+Inf stays above)", () => {
      expect(invariant.runbook.hint.length).toBeGreaterThan(20);
      const [name] = Object.keys(invariant.defaults.thresholds);
      const [lenient] = applyOverrides(
        [invariant],
        { [invariant.name]: { thresholds: { [name as string]: 1e15 } } },
        "p",
      );
      const result = byStore(
        (lenient as MetricInvariant).evaluate(
          observation({ metrics: recordedReadings() }),
          (lenient as MetricInvariant).defaults,
        ),
      ).get("8");
      if (invariant.name === "raft_append_latency") expect(result?.outcome).toBe("violated");
      else expect(result).toEqual({ entity: "8", outcome: "ok" });
    });
  },
);

describe("messages a person can act on", () => {
  it.each([
    [
      "critical_error",
      "Store 8 (10.0.1.8:20160) counted 3 critical errors in the last 10 min (sst_corruption: 1, rocksdb get: 2): its data or disk may be damaged",
    ],
    [
      "channel_full",
      "Store 8 (10.0.1.8:20160) counted 37 full-channel events in the last 10 min (raftstore: 37): raft messages are being dropped",
    ],
    [
      "memory_growth",
      "Store 8 (10.0.1.8:20160) resident memory growth (over 5 min) is 6GiB (threshold 5GiB)",
    ],
    [
      "memory_quota",
      "Store 8 (10.0.1.8:20160) resident memory of its quota (15GiB of 16GiB) is 93.8% (threshold 80.0%): the process risks being killed for memory",
    ],
    [
      "cpu_quota",
      "Store 8 (10.0.1.8:20160) CPU use of its quota (7.20 cores of 8.00 cores) is 90.0% (threshold 80.0%)",
    ],
    [
      "l0_files",
      "Store 8 (10.0.1.8:20160) L0 files (cf write) is 95 (threshold 80): RocksDB will stall writes",
    ],
    [
      "raft_log_lag",
      "Store 8 (10.0.1.8:20160) raft log lag p99 (entries) is 9000 (threshold 5000): followers fall behind and may need snapshots",
    ],
    [
      "scheduler_pending",
      "Store 8 (10.0.1.8:20160) pending scheduler commands is 2400 (threshold 1000): new writes will be refused as server busy",
    ],
    [
      "scheduler_command_latency",
      "Store 8 (10.0.1.8:20160) scheduler command p99 (type prewrite) is 1.7 s (threshold 1 s)",
    ],
    [
      "scheduler_latch_wait",
      "Store 8 (10.0.1.8:20160) scheduler latch wait p99 (type prewrite) is 2.5 s (threshold 1 s): writes to the same keys queue behind each other",
    ],
    [
      "coprocessor_pending",
      "Store 8 (10.0.1.8:20160) pending coprocessor requests (most select) is 6300 (threshold 5000)",
    ],
    [
      "coprocessor_wait",
      "Store 8 (10.0.1.8:20160) coprocessor wait p99.99 (req select) is 14 s (threshold 10 s): analytical and index reads queue",
    ],
    [
      "async_write_latency",
      "Store 8 (10.0.1.8:20160) async write p99 is 1.6 s (threshold 1 s): every transactional write waits this long",
    ],
    [
      "raft_append_latency",
      "Store 8 (10.0.1.8:20160) raft log append p99 is beyond the largest bucket (threshold 1 s): the disk holds up every write",
    ],
    ["raft_tick_latency", "Store 8 (10.0.1.8:20160) raft tick p99.9 is 3.1 s (threshold 2 s)"],
    [
      "approximate_region_size",
      "Store 8 (10.0.1.8:20160) approximate region size p99 is 1.5GiB (threshold 1GiB): oversized regions slow snapshots, balancing and recovery",
    ],
  ])("%s", (name, expected) => {
    expect(message(name)).toBe(expected);
  });

  it("stores the parts behind a verdict: per type, per column family, per kind of event", () => {
    const results = (name: string) => byStore(run(byName(name))).get("8");
    expect(results("scheduler_command_latency")).toMatchObject({
      values: { value: 1.7, threshold: 1, by_type: { prewrite: 1.7, commit: 0.2 } },
    });
    expect(results("l0_files")).toMatchObject({ values: { by_cf: { default: 12, lock: 0, write: 95 } } });
    expect(results("critical_error")).toMatchObject({
      values: { value: 3, by_type: { sst_corruption: 1, "rocksdb get": 2 }, windowMinutes: 10 },
    });
    expect(results("memory_quota")).toMatchObject({
      values: { used: 15 * 1024 ** 3, quota: 16 * 1024 ** 3 },
    });
    expect(results("raft_append_latency")).toMatchObject({ values: { value: "+Inf" } });
  });
});

describe("counters TiKV creates at their first event (critical_error, channel_full)", () => {
  it("a scraped store whose counter does not exist holds; an unscraped one is unknown", () => {
    const readings = recordedReadings();
    const errors = readings.criticalErrors;
    if (!errors || !("samples" in errors)) throw new Error("no recorded criticalErrors");
    expect(byStore(run(byName("critical_error"))).get("1")).toEqual({ entity: "1", outcome: "ok" });
    const unscraped = {
      ...errors,
      samples: errors.samples.filter((s) => s.labels.instance !== "10.0.1.1:20180"),
    };
    expect(
      byStore(run(byName("critical_error"), { ...readings, criticalErrors: unscraped })).get("1"),
    ).toMatchObject({ outcome: "unknown" });
  });

  it("the query counts series born within the window and follows windowMinutes", () => {
    const [tuned] = applyOverrides(
      [byName("critical_error")],
      { critical_error: { thresholds: { windowMinutes: 2 } } },
      "p",
    );
    const { criticalErrors } = (tuned as MetricInvariant).queries({
      windows: WINDOWS,
      settings: (tuned as MetricInvariant).defaults,
    });
    expect(criticalErrors).toBe(
      'max by (instance, type) (increase(tikv_critical_error_total[120s]) or label_replace(tikv_critical_error_total unless tikv_critical_error_total offset 120s, "born", "1", "", "")) or label_replace(0 * count by (instance) (tikv_raftstore_region_count{type="region"}), "presence", "1", "", "")',
    );
  });
});

describe("gc_not_working (cluster-wide)", () => {
  const gc = byName("gc_not_working");
  const withParts = (parts: Record<string, number>) => ({
    ...recordedReadings(),
    gcActivity: {
      query: "q",
      warnings: [],
      samples: Object.entries(parts).map(([part, value]) => ({ labels: { part }, value, timestamp: 0 })),
    },
  });

  it("is violated when the GC task counter was never created and the filter did not run, though the write CF compacted", () => {
    expect(run(gc)).toEqual([
      {
        entity: "cluster",
        outcome: "violated",
        message:
          "No MVCC garbage collection ran in the last 24 h although the write CF compacted 120 times: old versions pile up and reads slow down",
        values: {
          gcTasks: 0,
          compactionFilterRuns: 0,
          writeCfCompactions: 120,
          windowMinutes: 1440,
          query: recordedReadings().gcActivity?.query,
        },
      },
    ]);
  });

  it("holds when GC tasks or the compaction filter ran, or nothing compacted", () => {
    for (const parts of [
      { gc_tasks: 3, write_compactions: 10 },
      { compaction_filter: 1, write_compactions: 10 },
      { gc_tasks: 0, write_compactions: 0 },
    ]) {
      expect(run(gc, withParts(parts))).toEqual([{ entity: "cluster", outcome: "ok" }]);
    }
  });

  it("is unknown without the compaction counter (TiKV not scraped), never ok", () => {
    expect(run(gc, withParts({}))).toEqual({
      unknown: "No write-CF compaction counter (tikv_engine_event_total) in Prometheus: GC cannot be judged",
    });
  });

  it("reads one query, cluster-wide, over windowMinutes", () => {
    const [tuned] = applyOverrides([gc], { gc_not_working: { thresholds: { windowMinutes: 0.5 } } }, "p");
    const { gcActivity } = (tuned as MetricInvariant).queries({
      windows: WINDOWS,
      settings: (tuned as MetricInvariant).defaults,
    });
    expect(gcActivity).toContain('sum(increase(tikv_gcworker_gc_tasks_vec{task="gc"}[30s]))');
    expect(gcActivity).toContain('tikv_engine_event_total{db="kv",cf="write",type="compaction"}[30s]');
  });
});

describe("report_failure (the unreachable store is the entity)", () => {
  const invariant = byName("report_failure");

  it("flags the store its peers cannot reach, by the remote store_id", () => {
    const results = byStore(run(invariant));
    expect(results.get("8")).toMatchObject({
      outcome: "violated",
      message:
        "Store 8 (10.0.1.8:20160) is reported unreachable by its peers 14.5 times a second (threshold 10): raft messages to it fail",
      values: { store_id: "8", perSecond: 14.5, thresholdPerSecond: 10 },
    });
    expect(results.get("1")).toEqual({ entity: "1", outcome: "ok" });
    expect(results.get("6")).toEqual({ entity: "6", outcome: "ok" });
    expect(results.get("4")).toMatchObject({ outcome: "unknown" });
    expect(results.has("7")).toBe(false);
  });

  it("without any scraped TiKV store it is unknown, not an all-clear", () => {
    const readings = recordedReadings();
    expect(
      run(invariant, { ...readings, reportFailures: { query: "q", warnings: [], samples: [] } }),
    ).toEqual({
      unknown: "No TiKV store is scraped by Prometheus: unreachable reports cannot be read",
    });
  });
});

describe("invariants own their queries", () => {
  it("every metric invariant has a runbook hint and a unique reading key", () => {
    const owners = new Map<string, string>();
    for (const invariant of METRIC_INVARIANTS) {
      expect(invariant.runbook.hint, invariant.name).toMatch(/^[A-Z]/);
      for (const key of keysOf(invariant)) {
        expect(owners.get(key), `${key} read by ${owners.get(key)} and ${invariant.name}`).toBeUndefined();
        owners.set(key, invariant.name);
      }
    }
  });

  it("collectQueries refuses two invariants that claim one key with different PromQL", () => {
    const clash: MetricInvariant = {
      ...byName("l0_files"),
      name: "clash",
      queries: () => ({ l0Files: "up" }),
    };
    expect(() => collectQueries([byName("l0_files"), clash], WINDOWS)).toThrow(
      "[operator] [tikv] Invariants `l0_files` and `clash` both read `l0Files` with different PromQL",
    );
  });

  it("collectQueries leaves out disabled invariants", () => {
    const [off] = applyOverrides([byName("l0_files")], { l0_files: { enabled: false } }, "p");
    expect(collectQueries([off as MetricInvariant, byName("raft_log_lag")], WINDOWS)).toEqual({
      raftLogLagP99:
        "histogram_quantile(0.99, sum(rate(tikv_raftstore_log_lag_bucket[1m])) by (le, instance))",
    });
  });
});
