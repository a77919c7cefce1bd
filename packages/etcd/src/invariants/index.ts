import type { Invariant } from "@operator/core";
import type { EtcdObservation } from "../observation.ts";
import { alarmActive } from "./alarm-active.ts";
import { backendQuota } from "./backend-quota.ts";
import { backendCommitLatency, walFsyncLatency } from "./latency.ts";
import { leaderChanges } from "./leader-changes.ts";
import { memberUnreachable } from "./member-unreachable.ts";
import { noLeader } from "./no-leader.ts";

export { alarmActive } from "./alarm-active.ts";
export { backendQuota } from "./backend-quota.ts";
export { backendCommitLatency, walFsyncLatency } from "./latency.ts";
export { leaderChanges } from "./leader-changes.ts";
export { memberUnreachable } from "./member-unreachable.ts";
export { CLUSTER_ENTITY, noLeader } from "./no-leader.ts";

/** Every etcd invariant, with its defaults, in the order reports list them. */
export const ETCD_INVARIANTS: readonly Invariant<EtcdObservation>[] = [
  memberUnreachable,
  noLeader,
  leaderChanges,
  alarmActive,
  backendQuota,
  walFsyncLatency,
  backendCommitLatency,
];
