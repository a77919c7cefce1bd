import { DEFAULT_SETTINGS, type Invariant } from "@operator/core";
import { isRegionFailure, type TikvObservation } from "../observation.ts";
import { CLUSTER_ENTITY } from "./region-health.ts";

/** Name of the pending-peer invariant. */
export const PENDING_PEERS = "pending_peers";

/**
 * At most `pendingPeerRegions` (100, the official `PD_pending_peer_region_count`) regions have a
 * pending peer (a replica whose Raft log lags the leader's), per PD's `/regions/check/pending-peer`.
 * One cluster-wide key; the values name the stores holding the lagging peers (from the check and
 * from each store's `pending_peer_count`), so the slow or overloaded store is named in the message.
 */
export const pendingPeers: Invariant<TikvObservation> = {
  name: PENDING_PEERS,
  description: "Few regions have a pending (lagging) peer.",
  defaults: {
    ...DEFAULT_SETTINGS,
    severity: "warning",
    forMs: 60_000,
    thresholds: { pendingPeerRegions: 100 },
  },
  runbook: {
    hint: "Find the store named in the message: check its disk and Raft IO latency, snapshots and apply pool (TiKV dashboard)",
  },
  evaluate(observation, settings) {
    const regions = observation.regions;
    if (isRegionFailure(regions))
      return { unknown: `PD region checks could not be read: ${regions.error.message}` };
    const threshold = settings.thresholds.pendingPeerRegions ?? 100;
    const count = regions.checks["pending-peer"].count;
    if (count <= threshold) return [{ entity: CLUSTER_ENTITY, outcome: "ok" }];
    const byStore: Record<string, number> = { ...regions.pendingPeersByStore };
    for (const store of observation.stores) {
      if (store.status.pendingPeerCount > (byStore[store.id] ?? 0))
        byStore[store.id] = store.status.pendingPeerCount;
    }
    const ranked = Object.entries(byStore).sort((a, b) => b[1] - a[1]);
    const top = ranked[0];
    const where = top ? `; most on store ${top[0]} (${top[1]})` : "";
    return [
      {
        entity: CLUSTER_ENTITY,
        outcome: "violated",
        message: `PD reports ${count} regions with a pending peer (threshold ${threshold})${where}`,
        values: {
          pendingPeerRegions: count,
          thresholdRegions: threshold,
          pendingPeersByStore: Object.fromEntries(ranked),
          pendingPeerRegionIds: regions.checks["pending-peer"].regionIds,
        },
      },
    ];
  },
};
