import { holdsWhen, type MetricInvariant } from "./metric-invariant.ts";
import { byLabel, storeThresholdInvariant, sumOf, worstSample } from "./store-threshold.ts";

/**
 * Write commands do not pile up in each store's scheduler: `tikv_scheduler_contex_total` (sic, the
 * commands in flight) stays at or below `commands` (1000). The official `TiKV_scheduler_context_total`
 * fires on `abs(delta(...[5m])) > 1000`, the change of the backlog: a backlog stuck at 5000 never
 * fires, and one draining by 1000 (recovery) does.
 */
export const schedulerPending: MetricInvariant = storeThresholdInvariant({
  name: "scheduler_pending",
  description: "Every TiKV store has at most the threshold of write commands pending in its scheduler.",
  severity: "warning",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's scheduler latch wait and async write latency panels: commands wait on hot keys or on raft writes",
  },
  threshold: { name: "commands", value: 1000 },
  unit: "count",
  what: "pending scheduler commands",
  consequence: "new writes will be refused as server busy",
  nanIsUnknown: true,
  queries: () => ({ schedulerPending: "sum(tikv_scheduler_contex_total) by (instance)" }),
  holds: (query, threshold) => holdsWhen(query, "sum", "<=", threshold),
  measure: (samples) => ({ value: sumOf(samples) }),
});

/**
 * Coprocessor requests do not pile up: `tikv_coprocessor_pending_request` summed over request kinds
 * stays at or below `requests` (5000). The official `TiKV_coprocessor_pending_request` fires on
 * `delta(...[10m]) > 5000`, the growth of a gauge, which misses a queue that stays long.
 */
export const coprocessorPending: MetricInvariant = storeThresholdInvariant({
  name: "coprocessor_pending",
  description: "Every TiKV store has at most the threshold of coprocessor requests pending.",
  severity: "warning",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's unified read pool CPU and the TiDB slow log for expensive coprocessor requests (full scans, missing indexes)",
  },
  threshold: { name: "requests", value: 5000 },
  unit: "count",
  what: "pending coprocessor requests",
  nanIsUnknown: true,
  queries: () => ({ coprocessorPending: "sum(tikv_coprocessor_pending_request) by (instance, req)" }),
  holds: (query, threshold) => holdsWhen(query, "sum", "<=", threshold),
  measure: (samples) => {
    const worst = worstSample(samples, "req");
    return {
      value: sumOf(samples),
      describe: () => ({
        values: { by_req: byLabel(samples, "req") },
        ...(worst.which === undefined ? {} : { detail: `most ${worst.which}` }),
      }),
    };
  },
});

/**
 * RocksDB is not about to stall writes: the average L0 file count of each column family
 * (`tikv_scheduler_l0_avg`) stays at or below `files` (80), as the official `TiKV_maybe_write_stall`.
 */
export const l0Files: MetricInvariant = storeThresholdInvariant({
  name: "l0_files",
  description:
    "Every TiKV store keeps RocksDB's level-0 file count per column family at or below the threshold.",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's compaction panels (pending compaction bytes, compaction CPU) and disk throughput; compaction is falling behind",
  },
  threshold: { name: "files", value: 80 },
  unit: "count",
  what: "L0 files",
  consequence: "RocksDB will stall writes",
  nanIsUnknown: true,
  queries: () => ({ l0Files: "max(tikv_scheduler_l0_avg) by (instance, cf)" }),
  holds: (query, threshold) => holdsWhen(query, "max", "<=", threshold),
  measure: (samples) => {
    const worst = worstSample(samples, "cf");
    return {
      value: worst.value,
      describe: () => ({
        values: { by_cf: byLabel(samples, "cf") },
        ...(worst.which === undefined ? {} : { detail: `cf ${worst.which}` }),
      }),
    };
  },
});

/**
 * Background workers keep up: the tasks queued for each TiKV worker (`tikv_worker_pending_task_total`
 * by worker `name`: split check, GC, PD heartbeat, snapshot, ...) stay at or below `tasks` (1000) for
 * every worker, as the official `TiKV_pending_task`. The busiest worker is named.
 */
export const workerPendingTasks: MetricInvariant = storeThresholdInvariant({
  name: "worker_pending_tasks",
  description: "No background worker of a TiKV store has more than the threshold of tasks queued.",
  severity: "warning",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's worker pending tasks panel for the named worker and its thread CPU; a stuck pd-worker or split-check worker shows here first",
  },
  threshold: { name: "tasks", value: 1000 },
  unit: "count",
  what: "pending worker tasks",
  nanIsUnknown: true,
  queries: () => ({ workerPendingTasks: "sum(tikv_worker_pending_task_total) by (instance, name)" }),
  holds: (query, threshold) => holdsWhen(query, "max", "<=", threshold),
  measure: (samples) => {
    const worst = worstSample(samples, "name");
    return {
      value: worst.value,
      describe: () => ({
        values: { by_name: byLabel(samples, "name") },
        ...(worst.which === undefined ? {} : { detail: `worker ${worst.which}` }),
      }),
    };
  },
});
