import type { Invariant } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import { channelFull } from "./channel-full.ts";
import { coprocessorWait } from "./coprocessor-wait.ts";
import { criticalError } from "./critical-error.ts";
import { gcNotWorking } from "./gc-not-working.ts";
import { HIGH_LATENCY, highLatency } from "./high-latency.ts";
import { LEADER_DROP, leaderDrop } from "./leader-drop.ts";
import { LOW_DISK_SPACE, lowDiskSpace } from "./low-disk-space.ts";
import type { MetricInvariant } from "./metric-invariant.ts";
import { PD_METRIC_OF, PD_RULE_INVARIANTS } from "./pd-invariants.ts";
import { coprocessorPending, l0Files, schedulerPending, workerPendingTasks } from "./pending-requests.ts";
import { raftLogLag } from "./raft-log-lag.ts";
import { RAFTSTORE_CPU, raftstoreCpu } from "./raftstore-cpu.ts";
import { REGION_HEALTH, regionHealth } from "./region-health.ts";
import { approximateRegionSize } from "./region-size.ts";
import { reportFailure } from "./report-failure.ts";
import { cpuQuota, memoryGrowth, memoryQuota } from "./resource-quota.ts";
import { schedulerCommandLatency, schedulerLatchWait } from "./scheduler-latency.ts";
import { STAGE_LATENCIES } from "./stage-latency.ts";
import { STORE_DOWN, storeDown } from "./store-down.ts";
import { storeRestart } from "./store-restart.ts";
import { WRITE_STALL, writeStall } from "./write-stall.ts";

export type { MetricInvariant, QueryContext } from "./metric-invariant.ts";
export { isMetricInvariant } from "./metric-invariant.ts";
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

/**
 * Every Prometheus-based invariant. Each owns its queries (`MetricInvariant.queries`): the
 * observation runs the queries of the enabled ones from this one list, so a new metric invariant
 * is its own file plus one line here.
 */
export const METRIC_INVARIANTS: readonly MetricInvariant[] = [
  highLatency,
  lowDiskSpace,
  raftstoreCpu,
  writeStall,
  leaderDrop,
  criticalError,
  memoryGrowth,
  memoryQuota,
  cpuQuota,
  gcNotWorking,
  channelFull,
  l0Files,
  raftLogLag,
  schedulerPending,
  schedulerCommandLatency,
  schedulerLatchWait,
  coprocessorPending,
  coprocessorWait,
  ...STAGE_LATENCIES,
  reportFailure,
  approximateRegionSize,
  workerPendingTasks,
  storeRestart,
];

/** Every TiKV invariant with its defaults, PD-based first. */
export const TIKV_INVARIANTS: readonly Invariant<TikvObservation>[] = [
  storeDown,
  regionHealth,
  ...PD_RULE_INVARIANTS,
  ...METRIC_INVARIANTS,
];

/** Names of the invariants that read PD only and work without Prometheus. */
export const PD_INVARIANTS: readonly string[] = [
  STORE_DOWN,
  REGION_HEALTH,
  ...PD_RULE_INVARIANTS.map((invariant) => invariant.name).filter((name) => !(name in PD_METRIC_OF)),
];
