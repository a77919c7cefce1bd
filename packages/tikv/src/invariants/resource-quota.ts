import type { Sample } from "../prometheus-client.ts";
import { formatValue } from "./format.ts";
import { holdsWhen, type MetricInvariant, promNumber } from "./metric-invariant.ts";
import { jsonNumber } from "./per-store.ts";
import { seconds } from "./promql.ts";
import { storeThresholdInvariant, sumOf } from "./store-threshold.ts";

/**
 * Each TiKV process uses at most `ratio` (80 %) of its CPU quota (`tikv_server_cpu_cores_quota`, the
 * cores or cgroup limit TiKV detected). The official `TiKV_cpu_quota` reads `irate(...[30s])` of
 * `process_cpu_seconds_total`, which TiKV exports in whole seconds: over two scrapes the rate jumps
 * between multiples of one core per scrape interval. The rate over the rate window smooths that.
 */
export const cpuQuota: MetricInvariant = storeThresholdInvariant({
  name: "cpu_quota",
  description: "Every TiKV process uses at most the threshold share of its CPU quota.",
  severity: "warning",
  forMs: 45_000,
  runbook: {
    hint: "Check the store's Thread CPU panel for the busy pool (grpc, raftstore, unified read, scheduler) and top/pidstat on its host",
  },
  threshold: { name: "ratio", value: 0.8 },
  unit: "ratio",
  what: "CPU use of its quota",
  nanIsUnknown: true,
  queries: ({ windows }) => ({
    cpuUsed: `sum(rate(process_cpu_seconds_total[${windows.rateWindow}])) by (instance)`,
    cpuQuota: "sum(tikv_server_cpu_cores_quota) by (instance)",
  }),
  holds: (used, threshold) => _ratioHolds(used, "sum(tikv_server_cpu_cores_quota) by (instance)", threshold),
  measure: (_samples, all) => _ratio(all.cpuUsed, all.cpuQuota, "cores", "CPU quota"),
});

/**
 * Each TiKV process uses at most `ratio` (80 %) of its memory quota (`tikv_server_memory_quota_bytes`,
 * the host's memory or cgroup limit), as the official `TiKV_memory_quota`.
 */
export const memoryQuota: MetricInvariant = storeThresholdInvariant({
  name: "memory_quota",
  description: "Every TiKV process uses at most the threshold share of its memory quota.",
  severity: "warning",
  forMs: 15_000,
  runbook: {
    hint: "Check the store's memory panels (block cache, memtables, raft entry cache) against storage.block-cache.capacity and memory-usage-limit",
  },
  threshold: { name: "ratio", value: 0.8 },
  unit: "ratio",
  what: "resident memory of its quota",
  consequence: "the process risks being killed for memory",
  nanIsUnknown: true,
  queries: () => ({
    memoryResident: "sum(process_resident_memory_bytes) by (instance)",
    memoryQuota: "sum(tikv_server_memory_quota_bytes) by (instance)",
  }),
  holds: (used, threshold) =>
    _ratioHolds(used, "sum(tikv_server_memory_quota_bytes) by (instance)", threshold),
  measure: (_samples, all) => _ratio(all.memoryResident, all.memoryQuota, "bytes", "memory quota"),
});

/**
 * Each TiKV process's resident memory grows by at most `bytes` (5 GiB) within `windowMinutes` (5),
 * as the official `TiKV_memory_used_too_fast` (emergency, here critical, after 5 m). The official
 * `x - x offset 5m` reads nothing while a store (or Prometheus) is younger than the window; `delta()`
 * over the window judges from the samples there are. The official rule also selects `job=~"tikv"`,
 * a name of TiUP's scrape configuration; the join on the store's status address needs no job name.
 */
export const memoryGrowth: MetricInvariant = storeThresholdInvariant({
  name: "memory_growth",
  description: "No TiKV process's memory grows faster than the threshold within the window.",
  severity: "critical",
  forMs: 300_000,
  runbook: {
    hint: "Check the store's memory panels for what grows (memtables, raft entry cache, coprocessor) and the TiDB slow log for large reads; take a heap profile before it is killed",
  },
  threshold: { name: "bytes", value: 5 * 1024 ** 3 },
  extraThresholds: { windowMinutes: 5 },
  unit: "bytes",
  what: "resident memory growth",
  nanIsUnknown: true,
  queries: ({ settings }) => {
    const window = seconds((settings.thresholds.windowMinutes ?? 5) * 60);
    return {
      memoryGrowth: `sum(delta(process_resident_memory_bytes[${window}])) by (instance)`,
    };
  },
  holds: (query, threshold) => holdsWhen(query, "sum", "<=", threshold),
  measure: (samples, _all, thresholds) => ({
    value: sumOf(samples),
    describe: () => ({
      values: { windowMinutes: thresholds.windowMinutes ?? 5 },
      detail: `over ${thresholds.windowMinutes ?? 5} min`,
    }),
  }),
});

// --- Internal helpers ---

/** The stores whose quota is positive and whose use is at most `threshold` of it, as `_ratio` judges. */
function _ratioHolds(used: string, quota: string, threshold: number): string {
  const perStore = (query: string) => `sum by (instance) (${query})`;
  return `(${perStore(used)} / ${perStore(quota)} <= ${promNumber(threshold)}) and on (instance) (${perStore(quota)} > 0)`;
}

function _ratio(
  used: readonly Sample[] | undefined,
  quota: readonly Sample[] | undefined,
  unit: "cores" | "bytes",
  what: string,
) {
  const usedValue = sumOf(used ?? []);
  const quotaValue = sumOf(quota ?? []);
  if (!(quotaValue > 0)) return { unknown: `The ${what} reads ${quotaValue}: no ratio can be taken` };
  return {
    value: usedValue / quotaValue,
    describe: () => ({
      values: { used: jsonNumber(usedValue, 12), quota: jsonNumber(quotaValue, 12) },
      detail: `${formatValue(usedValue, unit)} of ${formatValue(quotaValue, unit)}`,
    }),
  };
}
