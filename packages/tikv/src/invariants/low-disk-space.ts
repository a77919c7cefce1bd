import { DEFAULT_SETTINGS } from "@operator/core";
import { formatByteSize } from "../byte-size.ts";
import { type MetricInvariant, promNumber } from "./metric-invariant.ts";
import { evaluateStores, storeLabel, storeOk, storeValues } from "./per-store.ts";

/** Name of the disk-space invariant. */
export const LOW_DISK_SPACE = "low_disk_space";

/**
 * Each store uses at most `usedRatio` (70 %) of its capacity, from `tikv_store_size_bytes`. The used
 * share is the larger of `used / capacity` (TiKV's own data) and `1 - available / capacity` (what the
 * disk has left, counting files that are not TiKV's). PD's figures ride along in the values as a
 * cross-check.
 */
export const lowDiskSpace: MetricInvariant = {
  name: LOW_DISK_SPACE,
  description: "Every TiKV store uses at most the threshold share of its disk capacity.",
  defaults: { ...DEFAULT_SETTINGS, severity: "warning", forMs: 0, thresholds: { usedRatio: 0.7 } },
  runbook: {
    hint: "Check df -h of the store's data directory and what besides TiKV fills it; add capacity or stores before PD's low-space ratio stops scheduling to it",
  },
  queries: () => ({
    storeSize: `sum(tikv_store_size_bytes{type=~"capacity|available|used"}) by (instance, type)`,
  }),
  holds: ({ settings }) => ({ storeSize: _holds(settings.thresholds.usedRatio ?? 0.7) }),
  evaluate(observation, settings) {
    const threshold = settings.thresholds.usedRatio ?? 0.7;
    return evaluateStores(observation, "storeSize", (store, samples, query) => {
      const bytes = (type: string) => samples.find((sample) => sample.labels.type === type)?.value;
      const capacity = bytes("capacity");
      const available = bytes("available");
      const used = bytes("used");
      if (capacity === undefined || !(capacity > 0) || (available === undefined && used === undefined)) {
        return {
          entity: store.id,
          outcome: "unknown",
          reason: `Store ${store.id} reports no usable capacity/available/used sizes`,
        };
      }
      const ratios = [
        used === undefined ? 0 : used / capacity,
        available === undefined ? 0 : 1 - available / capacity,
      ];
      const usedRatio = Math.max(...ratios.filter(Number.isFinite));
      if (!(usedRatio > threshold)) return storeOk(store);
      const shown = formatByteSize(capacity * usedRatio);
      return {
        entity: store.id,
        outcome: "violated",
        message: `${storeLabel(store)} disk is ${_percent(usedRatio)} used (${shown} of ${formatByteSize(capacity)}; threshold ${_percent(threshold)})`,
        values: {
          ...storeValues(store),
          usedRatio: Number(usedRatio.toFixed(4)),
          thresholdRatio: threshold,
          capacityBytes: capacity,
          availableBytes: available ?? null,
          usedBytes: used ?? null,
          pd: {
            capacityBytes: store.status.capacityBytes ?? null,
            availableBytes: store.status.availableBytes ?? null,
            usedBytes: store.status.usedBytes ?? null,
          },
          query,
        },
      };
    });
  },
};

// --- Internal helpers ---

/** The stores reporting all three sizes, a positive capacity and both ratios at most `threshold`. */
function _holds(threshold: number): string {
  const size = (type: string) => `sum by (instance) (tikv_store_size_bytes{type="${type}"})`;
  const at = promNumber(threshold);
  return `(${size("used")} / ${size("capacity")} <= ${at}) and on (instance) (1 - ${size("available")} / ${size("capacity")} <= ${at}) and on (instance) (${size("capacity")} > 0)`;
}

function _percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
