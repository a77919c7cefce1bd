import { DEFAULT_SETTINGS } from "@operator/core";
import { holdsWhen, type MetricInvariant } from "./metric-invariant.ts";
import { evaluateStores, jsonNumber, storeLabel, storeOk, storeValues } from "./per-store.ts";

/** Name of the gRPC latency invariant. */
export const HIGH_LATENCY = "high_latency";

/**
 * Each store's gRPC p99 (all message types but `kv_gc`, over the rate window) stays at or below
 * `p99Seconds` (100 ms). A store that served no request in the window has no p99 (`NaN`): it holds.
 * A p99 in the `+Inf` bucket is above any threshold.
 */
export const highLatency: MetricInvariant = {
  name: HIGH_LATENCY,
  description: "Every TiKV store answers gRPC with a p99 latency at or below the threshold.",
  defaults: { ...DEFAULT_SETTINGS, severity: "warning", forMs: 60_000, thresholds: { p99Seconds: 0.1 } },
  runbook: {
    hint: "Open the store's gRPC duration and thread CPU panels, and check its host for disk or CPU saturation",
  },
  queries: ({ windows }) => ({ grpcP99: _query(windows.rateWindow) }),
  holds: ({ windows, settings }) => ({
    grpcP99: holdsWhen(_query(windows.rateWindow), "max", "<=", settings.thresholds.p99Seconds ?? 0.1),
  }),
  evaluate(observation, settings) {
    const threshold = settings.thresholds.p99Seconds ?? 0.1;
    return evaluateStores(observation, "grpcP99", (store, samples, query) => {
      const p99 = Math.max(...samples.map((sample) => sample.value));
      if (Number.isNaN(p99) || p99 <= threshold) return storeOk(store);
      return {
        entity: store.id,
        outcome: "violated",
        message: `${storeLabel(store)} gRPC p99 is ${_ms(p99)} (threshold ${_ms(threshold)})`,
        values: { ...storeValues(store), p99Seconds: jsonNumber(p99), thresholdSeconds: threshold, query },
      };
    });
  },
};

// --- Internal helpers ---

function _query(rateWindow: string): string {
  return `histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{type!="kv_gc"}[${rateWindow}])) by (le, instance))`;
}

function _ms(seconds: number): string {
  return Number.isFinite(seconds)
    ? `${Number((seconds * 1000).toPrecision(3))} ms`
    : "beyond the largest bucket";
}
