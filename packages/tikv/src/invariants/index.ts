import type { Invariant } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import type { MetricName } from "../queries.ts";
import { HIGH_LATENCY, highLatency } from "./high-latency.ts";
import { LEADER_DROP, leaderDrop } from "./leader-drop.ts";
import { LOW_DISK_SPACE, lowDiskSpace } from "./low-disk-space.ts";
import { PD_METRIC_OF, PD_RULE_INVARIANTS } from "./pd-invariants.ts";
import { RAFTSTORE_CPU, raftstoreCpu } from "./raftstore-cpu.ts";
import { REGION_HEALTH, regionHealth } from "./region-health.ts";
import { STORE_DOWN, storeDown } from "./store-down.ts";
import { WRITE_STALL, writeStall } from "./write-stall.ts";

export * from "./pd-invariants.ts";
export { CLUSTER_ENTITY, REGION_HEALTH, regionHealth } from "./region-health.ts";
export {
  HIGH_LATENCY,
  highLatency,
  LEADER_DROP,
  LOW_DISK_SPACE,
  leaderDrop,
  lowDiskSpace,
  RAFTSTORE_CPU,
  raftstoreCpu,
  STORE_DOWN,
  storeDown,
  WRITE_STALL,
  writeStall,
};

/** Every TiKV invariant with its defaults, PD-based first. */
export const TIKV_INVARIANTS: readonly Invariant<TikvObservation>[] = [
  storeDown,
  regionHealth,
  highLatency,
  lowDiskSpace,
  raftstoreCpu,
  writeStall,
  leaderDrop,
  ...PD_RULE_INVARIANTS,
];

/** The metric each Prometheus-based invariant reads; the others read PD only. */
export const METRIC_OF: Readonly<Record<string, MetricName>> = {
  [HIGH_LATENCY]: "grpcP99",
  [LOW_DISK_SPACE]: "storeSize",
  [RAFTSTORE_CPU]: "raftstoreCpu",
  [WRITE_STALL]: "writeStall",
  [LEADER_DROP]: "leaderDelta",
};

/** Names of the invariants that read PD only and work without Prometheus. */
export const PD_INVARIANTS: readonly string[] = [
  STORE_DOWN,
  REGION_HEALTH,
  ...PD_RULE_INVARIANTS.map((invariant) => invariant.name).filter((name) => !(name in PD_METRIC_OF)),
];
