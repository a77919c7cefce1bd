import type { MetricInvariant } from "./metric-invariant.ts";
import { quantileInvariant } from "./quantile-invariant.ts";

/**
 * The per-stage latencies of TiKV's write and read path, one invariant per stage so a ticket names
 * the slow stage (`prod-tikv/raft_apply_latency/4`) and each stage keeps its own severity, grace and
 * threshold. From the official rules `TiKV_async_request_{write,snapshot}_duration_seconds`,
 * `TiKV_raft_{append,apply}_log_duration_secs` (p99 above 1 s, critical) and
 * `TiKV_raft_process_{ready,tick}_duration_secs` (p99.9 above 2 s, warning).
 */

/** Async write (the write path through raft, as the storage layer waits for it). */
export const asyncWriteLatency: MetricInvariant = quantileInvariant({
  name: "async_write_latency",
  description:
    "Every TiKV store completes async writes (propose to apply) with a p99 at or below the threshold.",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Compare the store's raft append/apply and disk write latency panels to find the slow stage; check the disk (iostat -x) first",
  },
  metric: "tikv_storage_engine_async_request_duration_seconds",
  selector: 'type="write"',
  quantile: 0.99,
  key: "asyncWriteP99",
  threshold: { name: "p99Seconds", value: 1 },
  unit: "seconds",
  what: "async write p99",
  consequence: "every transactional write waits this long",
});

/** Async snapshot (getting a consistent read view, which needs a leader with a valid lease). */
export const asyncSnapshotLatency: MetricInvariant = quantileInvariant({
  name: "async_snapshot_latency",
  description: "Every TiKV store takes read snapshots with a p99 at or below the threshold.",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's raftstore CPU and propose wait panels, and leader changes of its regions (read index and lease renewals go through raft)",
  },
  metric: "tikv_storage_engine_async_request_duration_seconds",
  selector: 'type="snapshot"',
  quantile: 0.99,
  key: "asyncSnapshotP99",
  threshold: { name: "p99Seconds", value: 1 },
  unit: "seconds",
  what: "async snapshot p99",
  consequence: "every read waits this long before it starts",
});

/** Appending raft log entries to the raft engine (a disk write and fsync). */
export const raftAppendLatency: MetricInvariant = quantileInvariant({
  name: "raft_append_latency",
  description: "Every TiKV store appends raft log with a p99 at or below the threshold.",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's disk: iostat -x for await and utilisation on the raft-engine directory, and the disk's own health (dmesg, SMART)",
  },
  metric: "tikv_raftstore_append_log_duration_seconds",
  quantile: 0.99,
  key: "raftAppendP99",
  threshold: { name: "p99Seconds", value: 1 },
  unit: "seconds",
  what: "raft log append p99",
  consequence: "the disk holds up every write",
});

/** Applying committed raft entries to the KV engine. */
export const raftApplyLatency: MetricInvariant = quantileInvariant({
  name: "raft_apply_latency",
  description: "Every TiKV store applies committed raft log with a p99 at or below the threshold.",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's apply thread CPU (raise raftstore.apply-pool-size when saturated), RocksDB write stall and the disk's write latency",
  },
  metric: "tikv_raftstore_apply_log_duration_seconds",
  quantile: 0.99,
  key: "raftApplyP99",
  threshold: { name: "p99Seconds", value: 1 },
  unit: "seconds",
  what: "raft log apply p99",
  consequence: "committed writes become visible late",
});

/** One raftstore "ready" round (persisting and sending what raft produced). */
export const raftReadyLatency: MetricInvariant = quantileInvariant({
  name: "raft_ready_latency",
  description: "Every TiKV store handles a raft ready round with a p99.9 at or below the threshold.",
  severity: "warning",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's raftstore CPU and raft append latency panels: a slow ready round is a busy raftstore pool or a slow disk",
  },
  metric: "tikv_raftstore_raft_process_duration_secs",
  selector: 'type="ready"',
  quantile: 0.999,
  key: "raftReadyP999",
  threshold: { name: "p999Seconds", value: 2 },
  unit: "seconds",
  what: "raft ready p99.9",
});

/** One raftstore tick (timers: heartbeats, elections, split checks). */
export const raftTickLatency: MetricInvariant = quantileInvariant({
  name: "raft_tick_latency",
  description: "Every TiKV store handles a raft tick with a p99.9 at or below the threshold.",
  severity: "warning",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's raftstore CPU and region count: slow ticks delay heartbeats and can cause needless elections",
  },
  metric: "tikv_raftstore_raft_process_duration_secs",
  selector: 'type="tick"',
  quantile: 0.999,
  key: "raftTickP999",
  threshold: { name: "p999Seconds", value: 2 },
  unit: "seconds",
  what: "raft tick p99.9",
});

/** Every stage-latency invariant, in write-path order. */
export const STAGE_LATENCIES: readonly MetricInvariant[] = [
  asyncWriteLatency,
  asyncSnapshotLatency,
  raftAppendLatency,
  raftApplyLatency,
  raftReadyLatency,
  raftTickLatency,
];
