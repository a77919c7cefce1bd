import type { Invariant } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import type { PdMetricName } from "../pd-health.ts";
import { PD_CLOCK_SLOW, pdClockSlow } from "./pd-clock.ts";
import {
  PD_ETCD_PEER_LATENCY,
  PD_ETCD_WAL_FSYNC,
  pdEtcdPeerLatency,
  pdEtcdWalFsync,
} from "./pd-etcd-latency.ts";
import { PD_LEADER_CHANGES, pdLeaderChanges } from "./pd-leader-changes.ts";
import { PD_MEMBER_HEALTH, pdMemberHealth } from "./pd-member-health.ts";
import {
  PD_CPU_QUOTA,
  PD_ETCD_QUOTA,
  PD_MEMORY_QUOTA,
  pdCpuQuota,
  pdEtcdQuota,
  pdMemoryQuota,
} from "./pd-quota.ts";
import { PENDING_PEERS, pendingPeers } from "./pending-peers.ts";
import { SLOW_STORE, slowStore } from "./slow-store.ts";
import { STORE_LOW_SPACE, storeLowSpace } from "./store-low-space.ts";

export {
  PD_CLOCK_SLOW,
  PD_CPU_QUOTA,
  PD_ETCD_PEER_LATENCY,
  PD_ETCD_QUOTA,
  PD_ETCD_WAL_FSYNC,
  PD_LEADER_CHANGES,
  PD_MEMBER_HEALTH,
  PD_MEMORY_QUOTA,
  PENDING_PEERS,
  pdClockSlow,
  pdCpuQuota,
  pdEtcdPeerLatency,
  pdEtcdQuota,
  pdEtcdWalFsync,
  pdLeaderChanges,
  pdMemberHealth,
  pdMemoryQuota,
  pendingPeers,
  SLOW_STORE,
  STORE_LOW_SPACE,
  slowStore,
  storeLowSpace,
};

/** The invariants from PD's official alert rules (pd.rules.yml), read from PD's API where possible. */
export const PD_RULE_INVARIANTS: readonly Invariant<TikvObservation>[] = [
  slowStore,
  storeLowSpace,
  pendingPeers,
  pdMemberHealth,
  pdLeaderChanges,
  pdEtcdWalFsync,
  pdEtcdPeerLatency,
  pdClockSlow,
  pdCpuQuota,
  pdMemoryQuota,
  pdEtcdQuota,
];

/** The PD metric each Prometheus-based PD invariant reads (PD's own `/metrics`, scraped by Prometheus). */
export const PD_METRIC_OF: Readonly<Record<string, PdMetricName>> = {
  [PD_ETCD_WAL_FSYNC]: "etcdWalFsyncP99",
  [PD_ETCD_PEER_LATENCY]: "etcdPeerRttP99",
  [PD_CLOCK_SLOW]: "tsoSystemTimeSlow",
  [PD_LEADER_CHANGES]: "tsoSaves",
  [PD_CPU_QUOTA]: "cpuQuota",
  [PD_MEMORY_QUOTA]: "memoryQuota",
  [PD_ETCD_QUOTA]: "etcdDbQuota",
};

/** Invariants that need PD's `/health` and `/members` (read only when one of them is enabled). */
export const PD_MEMBER_INVARIANTS: readonly string[] = [PD_MEMBER_HEALTH, ...Object.keys(PD_METRIC_OF)];
