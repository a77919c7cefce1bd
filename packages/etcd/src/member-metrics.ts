import { type Exposition, parseExpositionSliced, samplesOf, sampleValue } from "./exposition.ts";
import { type Histogram, histogramOf, histogramsBy } from "./histogram.ts";

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
  grpcHandled: "grpc_server_handled_total",
  grpcHandling: "grpc_server_handling_seconds",
  peerRoundTrip: "etcd_network_peer_round_trip_time_seconds",
} as const;

/**
 * gRPC codes that count as failed requests, as etcd's own alerting rules count them (the server's
 * fault or overload; `NotFound`, `InvalidArgument`, `Canceled` and the like are the client's).
 */
export const FAILED_GRPC_CODES: readonly string[] = [
  "Unknown",
  "FailedPrecondition",
  "ResourceExhausted",
  "Internal",
  "Unavailable",
  "DataLoss",
  "DeadlineExceeded",
];

/** Counters of the unary gRPC requests a member has handled since it started. */
export interface GrpcHandled {
  readonly total: number;
  readonly failed: number;
  /** Failed requests per gRPC code (codes of {@link FAILED_GRPC_CODES} only). */
  readonly failedByCode: Readonly<Record<string, number>>;
}

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
  /** Unary requests from `grpc_server_handled_total` (streams end with `Unavailable` whenever a client leaves). */
  readonly grpcHandled?: GrpcHandled | undefined;
  /**
   * Unary request latency from `grpc_server_handling_seconds`, all methods but `Defragment` summed.
   * etcd exposes it only with `--metrics=extensive`.
   */
  readonly grpcHandling?: Histogram | undefined;
  /** Round-trip time to each peer (by the `To` label, a member id) from `etcd_network_peer_round_trip_time_seconds`. */
  readonly peerRoundTrip?: ReadonlyMap<string, Histogram> | undefined;
}

/**
 * Parses `/metrics` text into {@link MemberMetrics}, letting the event loop run on a large text.
 * Rejects for text that is not an exposition.
 */
export async function parseMemberMetrics(text: string): Promise<MemberMetrics> {
  const exposition = await parseExpositionSliced(text);
  const unary = (labels: Readonly<Record<string, string>>) =>
    labels.grpc_type === "unary" && labels.grpc_method !== "Defragment" ? "unary" : undefined;
  const peers = histogramsBy(exposition, METRICS.peerRoundTrip, (labels) => labels.To);
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
    grpcHandled: _grpcHandled(exposition),
    grpcHandling: histogramsBy(exposition, METRICS.grpcHandling, unary).get("unary"),
    peerRoundTrip: peers.size > 0 ? peers : undefined,
  };
}

// --- Internal helpers ---

function _grpcHandled(exposition: Exposition): GrpcHandled | undefined {
  const samples = samplesOf(exposition, METRICS.grpcHandled, { grpc_type: "unary" });
  if (samples.length === 0) return undefined;
  let total = 0;
  let failed = 0;
  const failedByCode: Record<string, number> = {};
  for (const sample of samples) {
    total += sample.value;
    const code = sample.labels.grpc_code ?? "";
    if (!FAILED_GRPC_CODES.includes(code)) continue;
    failed += sample.value;
    failedByCode[code] = (failedByCode[code] ?? 0) + sample.value;
  }
  return { total, failed, failedByCode };
}
