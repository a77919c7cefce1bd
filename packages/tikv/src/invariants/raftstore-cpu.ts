import { DEFAULT_SETTINGS } from "@operator/core";
import { holdsWhen, type MetricInvariant } from "./metric-invariant.ts";
import { evaluateStores, jsonNumber, storeLabel, storeOk, storeValues } from "./per-store.ts";

/** Name of the raftstore CPU invariant. */
export const RAFTSTORE_CPU = "raftstore_cpu";

/**
 * Raftstore threads (`raftstore_*` in raftstore v1, `rs_*` in v2) of each store use at most `cores`
 * (1.6, the official `TiKV_raftstore_thread_cpu_seconds_total` rule, which is critical after 1 m).
 * Past it, the raftstore pool is saturated and every write waits.
 */
export const raftstoreCpu: MetricInvariant = {
  name: RAFTSTORE_CPU,
  description: "Raftstore threads of every TiKV store use at most the threshold of CPU cores.",
  defaults: { ...DEFAULT_SETTINGS, severity: "critical", forMs: 60_000, thresholds: { cores: 1.6 } },
  runbook: {
    hint: "Check the store's Thread CPU panel and hot regions (pd-ctl hot write); raise raftstore.store-pool-size if the pool is saturated",
  },
  queries: ({ windows }) => ({ raftstoreCpu: _query(windows.rateWindow) }),
  holds: ({ windows, settings }) => ({
    raftstoreCpu: holdsWhen(_query(windows.rateWindow), "sum", "<=", settings.thresholds.cores ?? 1.6),
  }),
  evaluate(observation, settings) {
    const threshold = settings.thresholds.cores ?? 1.6;
    return evaluateStores(observation, "raftstoreCpu", (store, samples, query) => {
      const cores = samples.reduce((sum, sample) => sum + sample.value, 0);
      if (Number.isNaN(cores))
        return { entity: store.id, outcome: "unknown", reason: `Store ${store.id} raftstore CPU is NaN` };
      if (cores <= threshold) return storeOk(store);
      return {
        entity: store.id,
        outcome: "violated",
        message: `${storeLabel(store)} raftstore threads use ${cores.toFixed(2)} cores (threshold ${threshold})`,
        values: { ...storeValues(store), cores: jsonNumber(cores, 4), thresholdCores: threshold, query },
      };
    });
  },
};

// --- Internal helpers ---

function _query(rateWindow: string): string {
  return `sum(rate(tikv_thread_cpu_seconds_total{name=~"(raftstore|rs)_.*"}[${rateWindow}])) by (instance)`;
}
