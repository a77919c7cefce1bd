import type { AlarmReading, ClusterMember, HealthReading, MemberStatus } from "./gateway.ts";
import type { MemberMetrics } from "./member-metrics.ts";

/** The reads made on every member each cycle. */
export type MemberRead = "health" | "metrics" | "status" | "alarms";

/** Where a value computed across observations came from. */
export type DerivedSource = "members" | "prometheus";

/** A value computed across observations, or why it could not be computed this cycle. */
export type Derived<T> = (T & { readonly source: DerivedSource }) | { readonly unknown: string };

/** How much a counter rose within a window. */
export interface CounterWindow {
  readonly increase: number;
  /** The window asked for. */
  readonly windowMs: number;
  /** How much of it the samples cover (less than `windowMs` shortly after the monitor starts). */
  readonly coveredMs: number;
}

/** How many leader changes a member saw in the leader-change window. */
export type LeaderChangeWindow = CounterWindow;

/** Unary gRPC requests a member handled within a window, and how many of them failed. */
export interface GrpcRequestWindow {
  readonly total: number;
  readonly failed: number;
  /** Failed requests per gRPC code, codes with none left out. */
  readonly failedByCode: Readonly<Record<string, number>>;
  readonly windowMs: number;
  readonly coveredMs: number;
}

/** The 99th percentile of the round-trip time to each peer over a window. */
export interface PeerLatencyWindow {
  /** One entry per peer (by member id), slowest first; `p99Seconds` is `null` without observations. */
  readonly peers: readonly { readonly peer: string; readonly p99Seconds: number | null }[];
  readonly windowMs: number;
}

/** A straight line fitted through a gauge's samples (Prometheus's `predict_linear`). */
export interface GrowthTrend {
  /** The value the line reaches `horizonMs` from now. */
  readonly predicted: number;
  /** The line's slope, per hour. */
  readonly bytesPerHour: number;
  readonly horizonMs: number;
  readonly windowMs: number;
  /** How much of the window the samples cover. */
  readonly coveredMs: number;
}

/** The 99th percentile of a latency histogram over a window. */
export interface LatencyWindow {
  /** `null` when nothing was observed in the window. */
  readonly p99Seconds: number | null;
  /** Observations in the window (e.g. fsync calls); `null` when the source does not say. */
  readonly operations: number | null;
  readonly windowMs: number;
}

/** What one configured endpoint answered this cycle. */
export interface MemberObservation {
  /** The configured client URL, normalised (no trailing slash). */
  readonly endpoint: string;
  /** The entity of per-member results: the member's name from the member list, else the endpoint. */
  readonly entity: string;
  /** False when none of the member's reads succeeded. */
  readonly reachable: boolean;
  readonly health: HealthReading | undefined;
  readonly metrics: MemberMetrics | undefined;
  readonly status: MemberStatus | undefined;
  readonly alarms: readonly AlarmReading[] | undefined;
  /** Why each failed read failed (the error message). */
  readonly errors: Readonly<Partial<Record<MemberRead, string>>>;
  readonly leaderChanges: Derived<LeaderChangeWindow>;
  readonly walFsync: Derived<LatencyWindow>;
  readonly backendCommit: Derived<LatencyWindow>;
  /** Failed proposals within the proposal window (`etcd_server_proposals_failed_total`). */
  readonly proposalsFailed: Derived<CounterWindow>;
  /** Unary gRPC requests and failures within the gRPC window (`grpc_server_handled_total`). */
  readonly grpcRequests: Derived<GrpcRequestWindow>;
  /** p99 of unary gRPC request handling since the previous cycle (needs `--metrics=extensive`). */
  readonly grpcLatency: Derived<LatencyWindow>;
  /** p99 of the round-trip time to each peer since the previous cycle. */
  readonly peerLatency: Derived<PeerLatencyWindow>;
  /** The backend database size's trend over the growth window. */
  readonly dbGrowth: Derived<GrowthTrend>;
}

/** The cluster's member list (read from one reachable member), or why it is not known. */
export type ClusterView =
  | { readonly members: readonly ClusterMember[]; readonly cached: boolean }
  | { readonly unknown: string };

/** One cycle's reading of an etcd cluster. Plain data, JSON-serialisable. */
export interface EtcdObservation {
  /** Epoch ms when the reads finished. */
  readonly at: number;
  /**
   * etcd's cluster id (a decimal string) from the member list's response header, else from the first
   * member status that carries one; the subject's identity. `undefined` when no response carried it.
   */
  readonly clusterId: string | undefined;
  /** One entry per configured endpoint, in configuration order. */
  readonly members: readonly MemberObservation[];
  readonly cluster: ClusterView;
  /**
   * Active alarms of the cluster (the alarm API answers for the whole cluster from any member),
   * merged across the members that answered; `undefined` when none did.
   */
  readonly alarms: readonly AlarmReading[] | undefined;
  /**
   * Why Prometheus could not be read this cycle, when a Prometheus URL is configured and it failed;
   * the cross-cycle values then come from the members' own history.
   */
  readonly prometheusError: string | undefined;
  /**
   * The secondary sources read this cycle, for `Subject.sources`: `member_list` always, `prometheus`
   * when configured (left out when its reads were cancelled); `null` when it answered, else why not.
   * A query that answers with no samples is an answer.
   */
  readonly sources: Readonly<Record<string, string | null>>;
}

/** True when a derived value is known. */
export function isKnown<T>(value: Derived<T>): value is T & { readonly source: DerivedSource } {
  return !("unknown" in value);
}
