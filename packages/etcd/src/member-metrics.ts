import { parseExpositionSliced, sampleValue } from "./exposition.ts";
import { type Histogram, histogramOf } from "./histogram.ts";

/** Metric names read from each member's `/metrics`. */
export const METRICS = {
  hasLeader: "etcd_server_has_leader",
  isLeader: "etcd_server_is_leader",
  leaderChanges: "etcd_server_leader_changes_seen_total",
  dbTotalSize: "etcd_mvcc_db_total_size_in_bytes",
  dbInUse: "etcd_mvcc_db_total_size_in_use_in_bytes",
  quotaBackend: "etcd_server_quota_backend_bytes",
  proposalsFailed: "etcd_server_proposals_failed_total",
  walFsync: "etcd_disk_wal_fsync_duration_seconds",
  backendCommit: "etcd_disk_backend_commit_duration_seconds",
} as const;

/** What one member's `/metrics` says; a field is `undefined` when its series is absent. */
export interface MemberMetrics {
  /** 1 when the member knows a leader. */
  readonly hasLeader: number | undefined;
  readonly isLeader: number | undefined;
  /** Counter: leader changes this member has seen since it started. */
  readonly leaderChangesTotal: number | undefined;
  readonly dbTotalSizeBytes: number | undefined;
  readonly dbInUseBytes: number | undefined;
  readonly quotaBackendBytes: number | undefined;
  readonly proposalsFailedTotal: number | undefined;
  readonly walFsync: Histogram | undefined;
  readonly backendCommit: Histogram | undefined;
}

/**
 * Parses `/metrics` text into {@link MemberMetrics}, letting the event loop run on a large text.
 * Rejects for text that is not an exposition.
 */
export async function parseMemberMetrics(text: string): Promise<MemberMetrics> {
  const exposition = await parseExpositionSliced(text);
  return {
    hasLeader: sampleValue(exposition, METRICS.hasLeader),
    isLeader: sampleValue(exposition, METRICS.isLeader),
    leaderChangesTotal: sampleValue(exposition, METRICS.leaderChanges),
    dbTotalSizeBytes: sampleValue(exposition, METRICS.dbTotalSize),
    dbInUseBytes: sampleValue(exposition, METRICS.dbInUse),
    quotaBackendBytes: sampleValue(exposition, METRICS.quotaBackend),
    proposalsFailedTotal: sampleValue(exposition, METRICS.proposalsFailed),
    walFsync: histogramOf(exposition, METRICS.walFsync),
    backendCommit: histogramOf(exposition, METRICS.backendCommit),
  };
}
