/**
 * `@operator/etcd`: an Operator subject plugin for etcd. The default export is the factory; the rest
 * is for people composing or testing it. The HTTP helpers, history and exposition internals beyond
 * `parseExposition` are private.
 */

export { EtcdRequestError } from "./errors.ts";
export type { Exposition, Sample } from "./exposition.ts";
export { ExpositionParseError, parseExposition } from "./exposition.ts";
export type { AlarmReading, ClusterMember, HealthReading, MemberStatus } from "./gateway.ts";
export type { Bucket, Histogram } from "./histogram.ts";
export { bucketQuantile } from "./histogram.ts";
export {
  alarmActive,
  backendCommitLatency,
  backendQuota,
  CLUSTER_ENTITY,
  dbFragmentation,
  dbGrowth,
  ETCD_INVARIANTS,
  grpcFailedRequests,
  grpcLatency,
  insufficientMembers,
  leaderChanges,
  memberNoLeader,
  memberUnreachable,
  noLeader,
  peerRoundTrip,
  proposalsFailed,
  walFsyncLatency,
} from "./invariants/index.ts";
export type { GrpcHandled, MemberMetrics } from "./member-metrics.ts";
export type {
  ClusterView,
  CounterWindow,
  Derived,
  DerivedSource,
  EtcdObservation,
  GrowthTrend,
  GrpcRequestWindow,
  LatencyWindow,
  LeaderChangeWindow,
  MemberObservation,
  MemberRead,
  PeerLatencyWindow,
} from "./observation.ts";
export { DEFAULT_TIMEOUT_MS } from "./options.ts";
export type { EtcdOptions } from "./subject.ts";
export { etcdSubject, etcdSubject as default, SUBJECT_KIND } from "./subject.ts";
