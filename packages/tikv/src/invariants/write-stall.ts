import { DEFAULT_SETTINGS } from "@operator/core";
import { holdsWhen, type MetricInvariant } from "./metric-invariant.ts";
import { evaluateStores, jsonNumber, storeLabel, storeOk, storeValues } from "./per-store.ts";

/** Name of the write-stall invariant. */
export const WRITE_STALL = "write_stall";

/**
 * RocksDB does not stall each store's writes: the share of time stalled over the rate window, from
 * the counter `tikv_engine_stall_micro_seconds`, stays at or below `stallFraction` (0: any stall
 * counts). Corrects the official `TiKV_write_stall` (`delta(tikv_engine_write_stall[10m]) > 0`),
 * which reads stall-duration percentiles: gauges that keep their value after a stall ends and stay
 * flat while stalls of the same length repeat.
 */
export const writeStall: MetricInvariant = {
  name: WRITE_STALL,
  description: "No TiKV store has its writes stalled by RocksDB.",
  defaults: { ...DEFAULT_SETTINGS, severity: "critical", forMs: 60_000, thresholds: { stallFraction: 0 } },
  runbook: {
    hint: "Check the store's RocksDB panels (write stall reason, L0 files, pending compaction bytes) and its disk write latency",
  },
  queries: ({ windows }) => ({ writeStall: _query(windows.rateWindow) }),
  holds: ({ windows, settings }) => ({
    writeStall: holdsWhen(_query(windows.rateWindow), "sum", "<=", settings.thresholds.stallFraction ?? 0),
  }),
  evaluate(observation, settings) {
    const threshold = settings.thresholds.stallFraction ?? 0;
    return evaluateStores(observation, "writeStall", (store, samples, query) => {
      const fraction = samples.reduce((sum, sample) => sum + sample.value, 0);
      if (Number.isNaN(fraction))
        return { entity: store.id, outcome: "unknown", reason: `Store ${store.id} stall rate is NaN` };
      if (fraction <= threshold) return storeOk(store);
      return {
        entity: store.id,
        outcome: "violated",
        message: `${storeLabel(store)} writes are stalled ${(fraction * 100).toFixed(1)}% of the time`,
        values: {
          ...storeValues(store),
          stallFraction: jsonNumber(fraction, 4),
          thresholdFraction: threshold,
          query,
        },
      };
    });
  },
};

// --- Internal helpers ---

function _query(rateWindow: string): string {
  return `sum(rate(tikv_engine_stall_micro_seconds[${rateWindow}])) by (instance) / 1e6`;
}
