import type { ClusterModel } from "../model/cluster-model.ts";
import { REGION_CHECK_TYPES } from "../model/regions.ts";
import type { StoreModel } from "../model/store.ts";
import type { PdMemberModel } from "./pd-members.ts";
import { storeSlowScore } from "./store-info.ts";

/** PD marks a store "unhealth" after 10 minutes without a heartbeat (`storeUnhealthyDuration`). */
const UNHEALTHY_AFTER_MS = 10 * 60_000;
const DISCONNECTED_AFTER_MS = 20_000;
const LOW_SPACE_RATIO = 0.8;
/** PD counts a store slow at this `slow_score` (`slowStoreThreshold`). */
const SLOW_SCORE = 80;

const STATUS_TYPES = [
  "store_up_count",
  "store_disconnected_count",
  "store_slow_count",
  "store_down_count",
  "store_unhealth_count",
  "store_offline_count",
  "store_tombstone_count",
  "store_low_space_count",
  "store_preparing_count",
  "store_serving_count",
  "store_removing_count",
  "store_removed_count",
] as const;

/**
 * One PD member's own `/metrics` (tikv-pd.md 1.9). The leader adds the cluster's state:
 * `pd_cluster_status` per store with PD's finer state split (down, unhealth, disconnected, slow, up)
 * and `pd_regions_status` with hyphenated types; every member reports its embedded etcd's WAL fsync
 * and peer round trips, `pd_tso_events` and `etcd_server_is_leader`.
 */
export function pdMetricsText(cluster: ClusterModel, startSeconds: number, member?: PdMemberModel): string {
  const now = cluster.clock.simNow();
  const self = member ?? (cluster.pd.members[0] as PdMemberModel);
  const out: string[] = [];
  if (cluster.pd.leader === self.name) {
    out.push("# HELP pd_cluster_status Status of the cluster.\n# TYPE pd_cluster_status gauge\n");
    for (const store of cluster.stores) {
      const counts = storeCounts(cluster, store, now);
      const prefix = `pd_cluster_status{engine="${store.spec.engine}",store="${store.spec.id}",type="`;
      for (const type of STATUS_TYPES) out.push(prefix, type, '"} ', counts.has(type) ? "1" : "0", "\n");
      const f = store.figures();
      out.push(prefix, 'region_count"} ', String(f.regionCount), "\n");
      out.push(prefix, 'leader_count"} ', String(f.leaderCount), "\n");
      out.push(prefix, 'storage_size"} ', String(f.usedBytes), "\n");
      out.push(prefix, 'storage_capacity"} ', String(f.capacityBytes), "\n");
    }
    out.push("# HELP pd_regions_status Status of the regions.\n# TYPE pd_regions_status gauge\n");
    const ids = cluster.stores.map((s) => s.spec.id);
    for (const type of REGION_CHECK_TYPES) {
      const count = cluster.regionFaults.regions(type, ids, now).length;
      out.push(`pd_regions_status{type="${type}-region-count"} ${count}\n`);
    }
  }
  out.push(
    cluster.pd.metricsText(self, cluster.clock.realNow()),
    "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n",
    `# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ${startSeconds}\n`,
  );
  return out.join("");
}

// --- Internal helpers ---

function storeCounts(cluster: ClusterModel, store: StoreModel, now: number): Set<string> {
  const counts = new Set<string>();
  const downTime = now - store.lastHeartbeatMs();
  if (store.metaState === "Up") {
    if (downTime >= cluster.maxStoreDownTimeMs) counts.add("store_down_count");
    else if (downTime > UNHEALTHY_AFTER_MS) counts.add("store_unhealth_count");
    else if (downTime > DISCONNECTED_AFTER_MS) counts.add("store_disconnected_count");
    else if (storeSlowScore(cluster, store) >= SLOW_SCORE) counts.add("store_slow_count");
    else counts.add("store_up_count");
    counts.add("store_serving_count");
  } else if (store.metaState === "Offline") {
    counts.add("store_offline_count").add("store_removing_count");
  } else {
    counts.add("store_tombstone_count").add("store_removed_count");
  }
  const f = store.figures();
  if (store.metaState !== "Tombstone" && f.availableBytes / f.capacityBytes < 1 - LOW_SPACE_RATIO) {
    counts.add("store_low_space_count");
  }
  return counts;
}
