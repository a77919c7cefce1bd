import { DEFAULT_SETTINGS } from "@operator/core";
import { holdsWhen, type MetricInvariant } from "./metric-invariant.ts";
import { evaluateStores, jsonNumber, storeLabel, storeOk, storeValues } from "./per-store.ts";

/** Name of the leader-drop invariant. */
export const LEADER_DROP = "leader_drop";

/**
 * No store loses more than `leaders` (10) region leaders within the leader-drop window (30 s), from
 * `delta(tikv_raftstore_region_count{type="leader"}[30s])`. Corrects the official `TiKV_leader_drops`,
 * which reads `tikv_pd_heartbeat_tick_total`, a metric removed from TiKV in 2019 (v3.0). Its grace
 * period is 0: a drop is an event that a 30 s delta shows for about 30 s, so the official `for: 1m`
 * could never be met by a single drop. Offline stores are left out: they hand their leaders away on
 * purpose.
 */
export const leaderDrop: MetricInvariant = {
  name: LEADER_DROP,
  description: "No TiKV store suddenly loses many region leaders.",
  defaults: { ...DEFAULT_SETTINGS, severity: "warning", forMs: 0, thresholds: { leaders: 10 } },
  runbook: {
    hint: "Check the store's tikv.log for a restart or slow heartbeats, and pd-ctl operator show for leader transfers away from it",
  },
  queries: ({ windows }) => ({ leaderDelta: _query(windows.leaderDropWindow) }),
  holds: ({ windows, settings }) => ({
    leaderDelta: holdsWhen(
      _query(windows.leaderDropWindow),
      "sum",
      ">=",
      -(settings.thresholds.leaders ?? 10),
    ),
  }),
  evaluate(observation, settings) {
    const threshold = settings.thresholds.leaders ?? 10;
    return evaluateStores(
      observation,
      "leaderDelta",
      (store, samples, query) => {
        const delta = samples.reduce((sum, sample) => sum + sample.value, 0);
        if (Number.isNaN(delta))
          return { entity: store.id, outcome: "unknown", reason: `Store ${store.id} leader change is NaN` };
        if (delta >= -threshold) return storeOk(store);
        return {
          entity: store.id,
          outcome: "violated",
          message: `${storeLabel(store)} lost ${Math.round(-delta)} leaders (threshold ${threshold}); ${store.status.leaderCount} left per PD`,
          values: {
            ...storeValues(store),
            leaderDelta: jsonNumber(delta, 4),
            thresholdLeaders: threshold,
            pdLeaderCount: store.status.leaderCount,
            query,
          },
        };
      },
      { skipOffline: true },
    );
  },
};

// --- Internal helpers ---

function _query(leaderDropWindow: string): string {
  return `sum(delta(tikv_raftstore_region_count{type="leader"}[${leaderDropWindow}])) by (instance)`;
}
