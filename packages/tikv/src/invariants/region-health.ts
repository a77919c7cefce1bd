import { DEFAULT_SETTINGS, type Invariant } from "@operator/core";
import { isRegionFailure, type TikvObservation } from "../observation.ts";

/** Name of the region-health invariant. */
export const REGION_HEALTH = "region_health";

/** The one entity of {@link regionHealth}: the regions belong to the cluster, not to one store. */
export const CLUSTER_ENTITY = "cluster";

/**
 * At most `downPeerRegions` (0) regions have a peer reported down and at most `missPeerRegions` (0)
 * regions have fewer replicas than configured, per PD's region checks. One cluster-wide key: the
 * store behind a down peer already has its own `store_down` key, and a missing replica has no store.
 * The values list the first region ids, pending/offline-peer counts and down peers per store.
 * (PD's `PD_miss_peer_region_count` rule selects `miss_peer_region_count`, which PD never emits.)
 */
export const regionHealth: Invariant<TikvObservation> = {
  name: REGION_HEALTH,
  description: "No region has a down peer or misses a replica.",
  runbook: {
    hint: "Run `pd-ctl region check down-peer` and `pd-ctl region check miss-peer` to find the regions and the stores behind them",
  },
  defaults: {
    ...DEFAULT_SETTINGS,
    severity: "warning",
    forMs: 60_000,
    thresholds: { downPeerRegions: 0, missPeerRegions: 0 },
  },
  evaluate(observation, settings) {
    const regions = observation.regions;
    if (isRegionFailure(regions))
      return { unknown: `PD region checks could not be read: ${regions.error.message}` };
    const down = regions.checks["down-peer"].count;
    const missing = regions.checks["miss-peer"].count;
    const problems: string[] = [];
    if (down > (settings.thresholds.downPeerRegions ?? 0))
      problems.push(`${down} ${_regions(down)} with a down peer`);
    if (missing > (settings.thresholds.missPeerRegions ?? 0))
      problems.push(`${missing} ${_regions(missing)} missing a replica`);
    if (problems.length === 0) return [{ entity: CLUSTER_ENTITY, outcome: "ok" }];
    return [
      {
        entity: CLUSTER_ENTITY,
        outcome: "violated",
        message: `PD reports ${problems.join(" and ")}`,
        values: {
          downPeerRegions: down,
          missPeerRegions: missing,
          pendingPeerRegions: regions.checks["pending-peer"].count,
          offlinePeerRegions: regions.checks["offline-peer"].count,
          downPeerRegionIds: regions.checks["down-peer"].regionIds,
          missPeerRegionIds: regions.checks["miss-peer"].regionIds,
          downPeersByStore: regions.downPeersByStore,
          pendingPeersByStore: regions.pendingPeersByStore,
        },
      },
    ];
  },
};

// --- Internal helpers ---

function _regions(count: number): string {
  return count === 1 ? "region" : "regions";
}
