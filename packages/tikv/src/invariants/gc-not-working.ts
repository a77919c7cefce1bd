import { DEFAULT_SETTINGS } from "@operator/core";
import { isMetricFailure } from "../observation.ts";
import type { MetricInvariant } from "./metric-invariant.ts";
import { seconds } from "./promql.ts";
import { CLUSTER_ENTITY } from "./region-health.ts";

const KEY = "gcActivity";

/**
 * MVCC garbage collection runs: within `windowMinutes` (1440, a day) the cluster ran at least one GC
 * task or compaction-filter GC, whenever RocksDB compacted the write column family at all (without
 * compactions the compaction filter has no chance to run). One cluster-wide key, as the official
 * `TiKV_GC_can_not_work` (emergency, here critical, after 5 m).
 *
 * The official rule compares `sum(increase(tikv_gcworker_gc_tasks_vec{task="gc"}[1d])) < 1`: TiKV
 * creates that counter at the first GC task, and `sum()` of nothing is nothing, so the rule cannot
 * fire on a cluster where GC never ran since the stores started, the case it exists for. Here a
 * missing GC counter counts as zero; a missing compaction counter makes the result `unknown`.
 */
export const gcNotWorking: MetricInvariant = {
  name: "gc_not_working",
  description: "MVCC garbage collection runs somewhere in the cluster within the window.",
  defaults: {
    ...DEFAULT_SETTINGS,
    severity: "critical",
    forMs: 300_000,
    thresholds: { windowMinutes: 1440 },
  },
  runbook: {
    hint: "Check the GC safe point and GC leader in TiDB (SELECT * FROM mysql.tidb WHERE variable_name LIKE 'tikv_gc%') and the stores' GC worker panels",
  },
  queries: ({ settings }) => {
    const window = seconds((settings.thresholds.windowMinutes ?? 1440) * 60);
    const part = (name: string, series: string) =>
      `label_replace(sum(increase(${series}[${window}])), "part", "${name}", "", "")`;
    return {
      [KEY]: [
        part("gc_tasks", 'tikv_gcworker_gc_tasks_vec{task="gc"}'),
        part("compaction_filter", "tikv_gc_compaction_filter_perform"),
        part("write_compactions", 'tikv_engine_event_total{db="kv",cf="write",type="compaction"}'),
      ].join(" or "),
    };
  },
  evaluate(observation, settings) {
    const reading = observation.metrics[KEY];
    if (!reading)
      return {
        unknown: `No Prometheus reading for ${KEY}: no Prometheus is configured or the query did not run`,
      };
    if (isMetricFailure(reading)) return { unknown: `Prometheus query failed: ${reading.error.message}` };
    const part = (name: string) => reading.samples.find((sample) => sample.labels.part === name)?.value;
    const compactions = part("write_compactions");
    if (compactions === undefined || Number.isNaN(compactions))
      return {
        unknown:
          "No write-CF compaction counter (tikv_engine_event_total) in Prometheus: GC cannot be judged",
      };
    const gcTasks = part("gc_tasks") ?? 0;
    const filter = part("compaction_filter") ?? 0;
    const minutes = settings.thresholds.windowMinutes ?? 1440;
    if (compactions < 1 || gcTasks >= 1 || filter >= 1) return [{ entity: CLUSTER_ENTITY, outcome: "ok" }];
    return [
      {
        entity: CLUSTER_ENTITY,
        outcome: "violated",
        message: `No MVCC garbage collection ran in the last ${_span(minutes)} although the write CF compacted ${Math.round(compactions)} times: old versions pile up and reads slow down`,
        values: {
          gcTasks,
          compactionFilterRuns: filter,
          writeCfCompactions: Math.round(compactions),
          windowMinutes: minutes,
          query: reading.query,
        },
      },
    ];
  },
};

// --- Internal helpers ---

function _span(minutes: number): string {
  return minutes >= 120 && minutes % 60 === 0 ? `${minutes / 60} h` : `${Number(minutes.toPrecision(3))} min`;
}
