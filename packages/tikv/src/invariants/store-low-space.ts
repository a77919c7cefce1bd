import {
  DEFAULT_SETTINGS,
  type EntityResult,
  type Invariant,
  SEVERITIES,
  type Severity,
} from "@operator/core";
import { formatByteSize } from "../byte-size.ts";
import type { TikvObservation } from "../observation.ts";
import { removedResults, storeLabel, storeValues, tombstoneResult } from "./per-store.ts";

/** Name of the PD low-space invariant. */
export const STORE_LOW_SPACE = "store_low_space";

/**
 * Every store keeps at least `availableRatio` (20 %) of its capacity free, by the `capacity` and
 * `available` figures it reports to PD (the same rule as PD's low-space state with its default
 * `low-space-ratio` 0.8, and as the official `TiKV_low_space`), so it works without Prometheus.
 * Below `criticalAvailableRatio` (10 %) the result is critical: TiKV stops accepting writes when
 * its disk is full. TiFlash stores are judged too (PD has their figures). Disconnected/Down stores
 * report no fresh figures: `unknown`.
 */
export const storeLowSpace: Invariant<TikvObservation> = {
  name: STORE_LOW_SPACE,
  description: "Every store keeps at least the threshold share of its capacity available, per PD.",
  defaults: {
    ...DEFAULT_SETTINGS,
    severity: "warning",
    forMs: 0,
    thresholds: { availableRatio: 0.2, criticalAvailableRatio: 0.1 },
  },
  runbook: {
    hint: "Check the store's disk (df -h on its data dir); add capacity or stores, or drop data, before it fills",
  },
  evaluate(observation, settings) {
    const threshold = settings.thresholds.availableRatio ?? 0.2;
    const critical = settings.thresholds.criticalAvailableRatio ?? 0.1;
    const results: EntityResult[] = removedResults(observation);
    for (const store of observation.stores) {
      const entity = store.id;
      if (store.stateName === "Tombstone") {
        results.push(tombstoneResult(store));
        continue;
      }
      if (store.stateName !== "Up" && store.stateName !== "Offline") {
        results.push({
          entity,
          outcome: "unknown",
          reason: `Store ${entity} is ${store.stateName} in PD; its space figures are not fresh`,
        });
        continue;
      }
      const capacity = store.status.capacityBytes;
      const available = store.status.availableBytes;
      if (capacity === undefined || available === undefined || !(capacity > 0)) {
        results.push({
          entity,
          outcome: "unknown",
          reason: `PD reports no capacity/available for store ${entity} (no store heartbeat with stats yet)`,
        });
        continue;
      }
      const ratio = available / capacity;
      if (!(ratio < threshold)) {
        results.push({ entity, outcome: "ok" });
        continue;
      }
      const severe = ratio < critical;
      results.push({
        entity,
        outcome: "violated",
        message: `${storeLabel(store)} has ${_percent(ratio)} of its disk available (${formatByteSize(available)} of ${formatByteSize(capacity)}; threshold ${_percent(threshold)})`,
        values: {
          ...storeValues(store),
          engine: store.engine,
          availableRatio: Number(ratio.toFixed(4)),
          thresholdRatio: threshold,
          criticalRatio: critical,
          capacityBytes: capacity,
          availableBytes: available,
          usedBytes: store.status.usedBytes ?? null,
          regionCount: store.status.regionCount,
        },
        ...(severe ? { severity: _atLeast("critical", settings.severity) } : {}),
      });
    }
    return results;
  },
};

// --- Internal helpers ---

function _percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** The more urgent of two severities. */
function _atLeast(floor: Severity, severity: Severity): Severity {
  return SEVERITIES.indexOf(severity) < SEVERITIES.indexOf(floor) ? severity : floor;
}
