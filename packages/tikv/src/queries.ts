/** The metric readings a cycle can make: one PromQL query each, for the whole cluster. */
export type MetricName = "grpcP99" | "storeSize" | "raftstoreCpu" | "writeStall" | "leaderDelta";

/** Every metric name, in query order. */
export const METRIC_NAMES: readonly MetricName[] = [
  "grpcP99",
  "storeSize",
  "raftstoreCpu",
  "writeStall",
  "leaderDelta",
];

/** Ranges the queries use. */
export interface QueryWindows {
  /** Range of `rate()`. @default "1m" */
  readonly rateWindow: string;
  /** Range of the leader-count `delta()`. @default "30s" */
  readonly leaderDropWindow: string;
}

/**
 * The PromQL of each reading. Each is grouped by `instance`, so a cycle makes one request per
 * metric whatever the number of stores.
 *
 * - `grpcP99`: gRPC p99 per store without `kv_gc` (the official dashboards' selector).
 * - `storeSize`: capacity, available and used bytes per store.
 * - `raftstoreCpu`: cores used by raftstore threads (v1 `raftstore_*`, v2 `rs_*`).
 * - `writeStall`: the share of time writes were stalled, from the counter
 *   `tikv_engine_stall_micro_seconds` (µs stalled per second / 10^6). The official rule
 *   `delta(tikv_engine_write_stall[10m]) > 0` reads RocksDB's stall-duration percentiles, gauges that
 *   keep their value after a stall ends and do not move when stalls repeat at the same length.
 * - `leaderDelta`: change of the leader count over the window; the official rule reads
 *   `tikv_pd_heartbeat_tick_total{type="leader"}`, removed from TiKV in 2019 (v3.0).
 */
export function buildQueries(windows: QueryWindows): Readonly<Record<MetricName, string>> {
  const rate = windows.rateWindow;
  return {
    grpcP99: `histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{type!="kv_gc"}[${rate}])) by (le, instance))`,
    storeSize: `sum(tikv_store_size_bytes{type=~"capacity|available|used"}) by (instance, type)`,
    raftstoreCpu: `sum(rate(tikv_thread_cpu_seconds_total{name=~"(raftstore|rs)_.*"}[${rate}])) by (instance)`,
    writeStall: `sum(rate(tikv_engine_stall_micro_seconds[${rate}])) by (instance) / 1e6`,
    leaderDelta: `sum(delta(tikv_raftstore_region_count{type="leader"}[${windows.leaderDropWindow}])) by (instance)`,
  };
}
