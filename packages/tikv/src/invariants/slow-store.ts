import { DEFAULT_SETTINGS, type EntityResult, type Invariant } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import { removedResults, storeLabel, storeValues, tombstoneResult } from "./per-store.ts";

/** Name of the slow-store invariant. */
export const SLOW_STORE = "slow_store";

/**
 * No TiKV store is slow by PD's own measure: the `slow_score` a store reports with every heartbeat
 * (1 normal, up to 100) stays below `slowScore` (80, PD's `slowStoreThreshold`, at which PD counts
 * the store in `store_slow_count` and its evict-slow-store scheduler moves leaders away). Read from
 * PD's store list, so it works without Prometheus (the official `PD_cluster_slow_tikv_nums` reads
 * PD's metric of the same). Disconnected/Down stores report no fresh score: `unknown`. TiFlash
 * stores report none and are left out.
 */
export const slowStore: Invariant<TikvObservation> = {
  name: SLOW_STORE,
  description: "No TiKV store reports a slow score at or above PD's slow threshold.",
  defaults: { ...DEFAULT_SETTINGS, severity: "critical", forMs: 60_000, thresholds: { slowScore: 80 } },
  runbook: {
    hint: "Check the store's disk I/O latency (iostat -x, TiKV dashboard Disk and Raft IO panels) and its host",
  },
  evaluate(observation, settings) {
    const threshold = settings.thresholds.slowScore ?? 80;
    const results: EntityResult[] = removedResults(observation);
    for (const store of observation.stores) {
      const entity = store.id;
      if (store.stateName === "Tombstone") {
        results.push(tombstoneResult(store));
        continue;
      }
      if (store.engine !== "tikv") continue;
      if (store.stateName !== "Up" && store.stateName !== "Offline") {
        results.push({
          entity,
          outcome: "unknown",
          reason: `Store ${entity} is ${store.stateName} in PD; its slow score is not fresh`,
        });
        continue;
      }
      const score = store.status.slowScore;
      if (score === undefined) {
        results.push({
          entity,
          outcome: "unknown",
          reason: `PD reports no slow_score for store ${entity} (TiKV before 5.2, or no heartbeat with it yet)`,
        });
        continue;
      }
      if (score < threshold) {
        results.push({ entity, outcome: "ok" });
        continue;
      }
      results.push({
        entity,
        outcome: "violated",
        message: `${storeLabel(store)} is slow: PD slow score ${score} (threshold ${threshold}; 1 is normal, 100 the worst)`,
        values: {
          ...storeValues(store),
          slowScore: score,
          thresholdScore: threshold,
          networkSlowScore: store.status.networkSlowScore ?? null,
          slowTrend: store.status.slowTrend ?? null,
          leaderCount: store.status.leaderCount,
        },
      });
    }
    return results;
  },
};
