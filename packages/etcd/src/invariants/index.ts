import type { Invariant } from "@operator/core";
import type { EtcdObservation } from "../observation.ts";
import { alarmActive } from "./alarm-active.ts";
import { backendQuota } from "./backend-quota.ts";
import { dbFragmentation } from "./db-fragmentation.ts";
import { dbGrowth } from "./db-growth.ts";
import { grpcFailedRequests } from "./grpc-failed-requests.ts";
import { insufficientMembers } from "./insufficient-members.ts";
import { backendCommitLatency, grpcLatency, walFsyncLatency } from "./latency.ts";
import { leaderChanges } from "./leader-changes.ts";
import { memberNoLeader } from "./member-no-leader.ts";
import { memberUnreachable } from "./member-unreachable.ts";
import { noLeader } from "./no-leader.ts";
import { peerRoundTrip } from "./peer-round-trip.ts";
import { proposalsFailed } from "./proposals-failed.ts";

export { alarmActive } from "./alarm-active.ts";
export { backendQuota } from "./backend-quota.ts";
export { dbFragmentation } from "./db-fragmentation.ts";
export { dbGrowth } from "./db-growth.ts";
export { grpcFailedRequests } from "./grpc-failed-requests.ts";
export { insufficientMembers } from "./insufficient-members.ts";
export { backendCommitLatency, grpcLatency, walFsyncLatency } from "./latency.ts";
export { leaderChanges } from "./leader-changes.ts";
export { memberNoLeader } from "./member-no-leader.ts";
export { memberUnreachable } from "./member-unreachable.ts";
export { CLUSTER_ENTITY, noLeader } from "./no-leader.ts";
export { peerRoundTrip } from "./peer-round-trip.ts";
export { proposalsFailed } from "./proposals-failed.ts";

/** Every etcd invariant, with its defaults, in the order reports list them. */
export const ETCD_INVARIANTS: readonly Invariant<EtcdObservation>[] = [
  memberUnreachable,
  insufficientMembers,
  noLeader,
  memberNoLeader,
  leaderChanges,
  alarmActive,
  backendQuota,
  dbGrowth,
  dbFragmentation,
  walFsyncLatency,
  backendCommitLatency,
  grpcFailedRequests,
  grpcLatency,
  proposalsFailed,
  peerRoundTrip,
];
