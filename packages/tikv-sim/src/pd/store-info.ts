import type { ClusterModel } from "../model/cluster-model.ts";
import type { StoreModel } from "../model/store.ts";
import { bytesSize, type GoJsonValue, goDuration, rfc3339Nano } from "./go-format.ts";

/** Simulated TiKV build, as PD reports it. */
export const TIKV_VERSION = "8.5.0";
export const TIKV_GIT_HASH = "58d231bccb4fb188bb697905ee4faf086c4ac931";

const META_STATE_NUMBER = { Up: 0, Offline: 1, Tombstone: 2 } as const;
const NODE_STATE_NUMBER = { Up: 1, Offline: 2, Tombstone: 3 } as const;
const REGION_SIZE_MIB = 96;

/**
 * PD's `response.StoreInfo` for one store: `metapb.Store` fields in their emitted order with gogoproto
 * `omitempty` (state 0 and node_state 0 omitted, enums as numbers), `state_name` computed from the
 * heartbeat age, then `StoreStatus` with byte sizes as go-units strings.
 */
export function storeInfo(cluster: ClusterModel, store: StoreModel): GoJsonValue {
  const spec = store.spec;
  const tiflash = spec.engine === "tiflash";
  const heartbeatNs = store.lastHeartbeatNs();
  const startSeconds = Math.floor(store.startSimMs / 1000);
  const startNs = BigInt(startSeconds) * 1_000_000_000n;
  const figures = store.figures();
  const regionSize = figures.regionCount * REGION_SIZE_MIB;
  const usedRatio = figures.usedBytes / figures.capacityBytes;
  const pending = cluster.regionFaults.pendingOn(spec.id);
  const uptime = heartbeatNs - startNs;
  return {
    store: {
      id: spec.id,
      address: spec.address,
      state: store.metaState === "Up" ? undefined : META_STATE_NUMBER[store.metaState],
      labels: spec.labels.length > 0 ? spec.labels.map((l) => ({ key: l.key, value: l.value })) : undefined,
      version: tiflash ? `v${TIKV_VERSION}` : TIKV_VERSION,
      peer_address: tiflash ? `tiflash-${spec.id}.sim:20170` : spec.address,
      status_address: spec.statusAddress,
      git_hash: TIKV_GIT_HASH,
      start_timestamp: startSeconds,
      deploy_path: tiflash ? "/tidb-deploy/tiflash-9000/bin/tiflash" : "/tidb-deploy/tikv-20160/bin",
      last_heartbeat: heartbeatNs,
      node_state: NODE_STATE_NUMBER[store.metaState],
      state_name: store.stateName(cluster.maxStoreDownTimeMs),
    },
    status: {
      capacity: bytesSize(figures.capacityBytes),
      available: bytesSize(figures.availableBytes),
      used_size: bytesSize(figures.usedBytes),
      leader_count: figures.leaderCount,
      leader_weight: 1,
      leader_score: figures.leaderCount,
      leader_size: figures.leaderCount * REGION_SIZE_MIB,
      region_count: figures.regionCount,
      region_weight: 1,
      region_score: regionScore(regionSize, usedRatio, spec.id),
      region_size: regionSize,
      learner_count: tiflash && figures.regionCount > 0 ? figures.regionCount : undefined,
      pending_peer_count: pending > 0 ? pending : undefined,
      slow_score: storeSlowScore(cluster, store),
      start_ts: rfc3339Nano(startNs),
      last_heartbeat_ts: heartbeatNs > 0n ? rfc3339Nano(heartbeatNs) : undefined,
      uptime: uptime > 0n ? goDuration(uptime) : undefined,
    },
  };
}

/**
 * The `slow_score` PD reports for a store: a `slow-score` fault's value, else TiKV's normal 1. TiKV
 * derives it from its own disk and Raft I/O inspection, not from gRPC latency, so `slow-store` alone
 * leaves it at 1.
 */
export function storeSlowScore(cluster: ClusterModel, store: StoreModel): number {
  return cluster.pd.slowScores.get(store.spec.id) ?? 1;
}

// --- Internal helpers ---

/** PD amplifies region size as the disk fills; any float with a fractional part is faithful enough. */
function regionScore(regionSize: number, usedRatio: number, id: number): number {
  return regionSize * (1 + usedRatio * 0.1) + (id % 97) / 97 + 0.0285926370704;
}
