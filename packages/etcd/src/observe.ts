import { ObservationError, type ObservationFailure, type ObserveContext } from "@operator/core";
import { createRedactor, secretsOf } from "@operator/subject-kit";
import { EtcdRequestError } from "./errors.ts";
import {
  type AlarmReading,
  type ClusterMember,
  type HealthReading,
  type MemberStatus,
  readAlarms,
  readHealth,
  readMemberList,
  readMetricsText,
  readStatus,
} from "./gateway.ts";
import type { Histogram } from "./histogram.ts";
import { MemberHistory } from "./history.ts";
import { createClientPool, type RequestContext } from "./http.ts";
import {
  FAILED_GRPC_CODES,
  type GrpcHandled,
  METRICS,
  type MemberMetrics,
  parseMemberMetrics,
} from "./member-metrics.ts";
import { entityOf } from "./naming.ts";
import type {
  ClusterView,
  Derived,
  EtcdObservation,
  GrpcRequestWindow,
  MemberObservation,
  MemberRead,
  PeerLatencyWindow,
} from "./observation.ts";
import type { ResolvedOptions } from "./options.ts";
import type { PrometheusWindows } from "./prometheus.ts";

/** What the observer needs beyond the options. */
export interface ObserverSettings {
  /** Window of the leader-change count, from the `leader_changes` invariant's settings. */
  readonly leaderChangeWindowMs: number;
  /** Window of the failed-proposal count, from `proposals_failed`. @default 900000 (15 min) */
  readonly proposalWindowMs?: number;
  /** Window of the gRPC request counts, from `grpc_failed_requests`. @default 300000 (5 min) */
  readonly grpcWindowMs?: number;
  /** Samples behind the database growth trend, from `db_growth`. @default 14400000 (4 h) */
  readonly growthWindowMs?: number;
  /** How far ahead the growth trend looks, from `db_growth`. @default 14400000 (4 h) */
  readonly growthHorizonMs?: number;
  /** Reads the cross-cycle values from Prometheus instead, when a Prometheus URL is configured. */
  readonly prometheus?: (endpoints: readonly string[], context: RequestContext) => Promise<PrometheusWindows>;
}

/**
 * Builds the subject's `observe`: every member is read in parallel (`/health`, `/metrics`, status,
 * alarms), then the member list from one member that answered. Keeps a small per-member history for
 * counter increases and histogram percentiles. Throws an {@link ObservationError} when no member
 * answered at all.
 */
export function createObserver(
  options: ResolvedOptions,
  settings: ObserverSettings,
): (context: ObserveContext) => Promise<EtcdObservation> {
  const histories = new Map(options.endpoints.map((endpoint) => [endpoint, new MemberHistory()]));
  const redact = createRedactor(secretsOf(options.headers));
  const shared = { timeoutMs: options.timeoutMs, retries: options.retries, headers: options.headers };
  const memberClients = createClientPool({ ...shared, maxBodyBytes: options.maxBodyBytes, tls: options.tls });
  const prometheusClients = createClientPool({
    ...shared,
    maxBodyBytes: options.prometheusMaxBodyBytes,
    tls: options.prometheusTls,
  });
  const message = (error: unknown) => redact(_message(error));
  let lastMembers: readonly ClusterMember[] | undefined;
  const windows = {
    proposalMs: settings.proposalWindowMs ?? 900_000,
    grpcMs: settings.grpcWindowMs ?? 300_000,
    growthMs: settings.growthWindowMs ?? 14_400_000,
    horizonMs: settings.growthHorizonMs ?? 14_400_000,
  };

  return async (context) => {
    const requestContext: RequestContext = {
      signal: context.signal,
      deadline: context.deadline,
      client: memberClients,
      redact,
    };
    const pending = settings
      .prometheus?.(options.endpoints, { ...requestContext, client: prometheusClients })
      .catch((error: unknown) => _failedWindows(error, message));
    const reads = await Promise.all(
      options.endpoints.map((endpoint) => _readMember(endpoint, requestContext)),
    );
    if (!reads.some((read) => read.reachable)) throw _nobodyAnswered(options, reads, context, message);
    const [list, prometheus] = await Promise.all([
      _readCluster(reads, requestContext, lastMembers, message),
      pending,
    ]);
    const cluster = list.view;
    if (!("unknown" in cluster)) lastMembers = cluster.members;
    const at = Date.now();
    const members = reads.map((read): MemberObservation => {
      const history = histories.get(read.endpoint) as MemberHistory;
      const fromPrometheus = prometheus?.get(read.endpoint);
      const metrics = read.metrics;
      const derive = <T, R>(
        input: T | undefined,
        metric: string,
        compute: (input: T) => R | { unknown: string },
      ) => _members(input, read, metric, compute, message);
      const leaderChanges = derive(metrics?.leaderChangesTotal, METRICS.leaderChanges, (value: number) =>
        history.leaderChanges(at, value, settings.leaderChangeWindowMs),
      );
      const walFsync = derive(metrics?.walFsync, METRICS.walFsync, (histogram: Histogram) =>
        history.latency("walFsync", at, histogram),
      );
      const backendCommit = derive(metrics?.backendCommit, METRICS.backendCommit, (histogram: Histogram) =>
        history.latency("backendCommit", at, histogram),
      );
      const proposalsFailed = derive(
        metrics?.proposalsFailedTotal,
        METRICS.proposalsFailed,
        (value: number) => history.increase("proposalsFailed", at, value, windows.proposalMs),
      );
      const grpcRequests = derive(metrics?.grpcHandled, METRICS.grpcHandled, (handled: GrpcHandled) =>
        _grpcWindow(history, at, handled, windows.grpcMs),
      );
      const grpcLatency = derive(
        metrics?.grpcHandling,
        `${METRICS.grpcHandling} (etcd exposes it with --metrics=extensive)`,
        (histogram: Histogram) => history.latency("grpcHandling", at, histogram),
      );
      const peerLatency = derive(
        metrics?.peerRoundTrip,
        `${METRICS.peerRoundTrip} (a single-member cluster has no peers)`,
        (peers: ReadonlyMap<string, Histogram>) => _peerWindow(history, at, peers),
      );
      const dbGrowth = derive(metrics?.dbTotalSizeBytes, METRICS.dbTotalSize, (size: number) =>
        history.trend("dbSize", at, size, windows.growthMs, windows.horizonMs),
      );
      return {
        endpoint: read.endpoint,
        entity: "unknown" in cluster ? read.endpoint : entityOf(read.endpoint, cluster.members),
        reachable: read.reachable,
        health: read.health,
        metrics,
        status: read.status,
        alarms: read.alarms,
        errors: Object.fromEntries(
          Object.entries(read.failures).map(([key, error]) => [key, message(error)]),
        ),
        leaderChanges: fromPrometheus?.leaderChanges ?? leaderChanges,
        walFsync: fromPrometheus?.walFsync ?? walFsync,
        backendCommit: fromPrometheus?.backendCommit ?? backendCommit,
        proposalsFailed,
        grpcRequests,
        grpcLatency,
        peerLatency,
        dbGrowth,
      };
    });
    const sources: Record<string, string | null> = { [MEMBER_LIST_SOURCE]: list.error ?? null };
    if (prometheus && !prometheus.aborted) sources[PROMETHEUS_SOURCE] = prometheus.error ?? null;
    return {
      at,
      clusterId: list.clusterId ?? reads.find((read) => read.status?.clusterId)?.status?.clusterId,
      members,
      cluster,
      alarms: _mergeAlarms(reads),
      prometheusError: prometheus?.error,
      sources,
    };
  };
}

/** Source name of the optional Prometheus in `Subject.sources`. */
export const PROMETHEUS_SOURCE = "prometheus";
/** Source name of the member list (read from one member that answered) in `Subject.sources`. */
export const MEMBER_LIST_SOURCE = "member_list";

// --- Internal helpers ---

interface RawMember {
  readonly endpoint: string;
  readonly reachable: boolean;
  readonly health: HealthReading | undefined;
  readonly metrics: MemberMetrics | undefined;
  readonly status: MemberStatus | undefined;
  readonly alarms: AlarmReading[] | undefined;
  readonly failures: Partial<Record<MemberRead, unknown>>;
}

async function _readMember(endpoint: string, context: RequestContext): Promise<RawMember> {
  const [health, metrics, status, alarms] = await Promise.allSettled([
    readHealth(endpoint, context),
    readMetricsText(endpoint, context).then(parseMemberMetrics),
    readStatus(endpoint, context),
    readAlarms(endpoint, context),
  ]);
  const failures: Partial<Record<MemberRead, unknown>> = {};
  const value = <T>(read: MemberRead, result: PromiseSettledResult<T>): T | undefined => {
    if (result.status === "fulfilled") return result.value;
    failures[read] = result.reason;
    return undefined;
  };
  const read = {
    endpoint,
    health: value("health", health),
    metrics: value("metrics", metrics),
    status: value("status", status),
    alarms: value("alarms", alarms),
  };
  const reachable = Object.keys(failures).length < 4;
  return { ...read, reachable, failures };
}

/** The cluster view, the cluster id of a fresh member list, and why the list could not be read. */
interface ClusterRead {
  readonly view: ClusterView;
  readonly clusterId?: string | undefined;
  readonly error?: string;
}

async function _readCluster(
  reads: readonly RawMember[],
  context: RequestContext,
  cached: readonly ClusterMember[] | undefined,
  message: (error: unknown) => string,
): Promise<ClusterRead> {
  const candidates = [...reads.filter((read) => read.status), ...reads.filter((read) => !read.status)];
  let lastError: unknown;
  for (const read of candidates.filter((candidate) => candidate.reachable)) {
    try {
      const list = await readMemberList(read.endpoint, context);
      return { view: { members: list.members, cached: false }, clusterId: list.clusterId };
    } catch (error) {
      lastError = error;
      if (context.signal.aborted) break;
    }
  }
  const error = `member list could not be read: ${message(lastError)}`;
  if (cached) return { view: { members: cached, cached: true }, error };
  return { view: { unknown: error }, error };
}

function _members<T, R>(
  input: T | undefined,
  read: RawMember,
  metric: string,
  compute: (input: T) => R | { unknown: string },
  message: (error: unknown) => string,
): Derived<R> {
  if (input === undefined) {
    const why = read.failures.metrics ? message(read.failures.metrics) : `${metric} is missing from /metrics`;
    return { unknown: why };
  }
  const result = compute(input);
  return result !== null && typeof result === "object" && "unknown" in result
    ? (result as { unknown: string })
    : { ...(result as R), source: "members" };
}

function _grpcWindow(
  history: MemberHistory,
  at: number,
  handled: GrpcHandled,
  windowMs: number,
): GrpcRequestWindow | { unknown: string } {
  const total = history.increase("grpcTotal", at, handled.total, windowMs);
  const failed = history.increase("grpcFailed", at, handled.failed, windowMs);
  const failedByCode: Record<string, number> = {};
  for (const code of FAILED_GRPC_CODES) {
    const window = history.increase(`grpcFailed:${code}`, at, handled.failedByCode[code] ?? 0, windowMs);
    if (!("unknown" in window) && window.increase > 0) failedByCode[code] = window.increase;
  }
  if ("unknown" in total)
    return { unknown: "first reading of grpc_server_handled_total; needs two observations" };
  if ("unknown" in failed) return failed;
  return {
    total: total.increase,
    failed: failed.increase,
    failedByCode,
    windowMs,
    coveredMs: total.coveredMs,
  };
}

function _peerWindow(
  history: MemberHistory,
  at: number,
  peers: ReadonlyMap<string, Histogram>,
): PeerLatencyWindow | { unknown: string } {
  const known: { peer: string; p99Seconds: number | null }[] = [];
  let unknown: string | undefined;
  let windowMs = 0;
  for (const [peer, histogram] of peers) {
    const window = history.latency(`peer:${peer}`, at, histogram);
    if ("unknown" in window) unknown = window.unknown;
    else {
      known.push({ peer, p99Seconds: window.p99Seconds });
      windowMs = window.windowMs;
    }
  }
  if (known.length === 0) return { unknown: unknown ?? "no peer round-trip samples" };
  known.sort((a, b) => (b.p99Seconds ?? -1) - (a.p99Seconds ?? -1));
  return { peers: known, windowMs };
}

function _mergeAlarms(reads: readonly RawMember[]): AlarmReading[] | undefined {
  const answered = reads.filter((read) => read.alarms);
  if (answered.length === 0) return undefined;
  const seen = new Map<string, AlarmReading>();
  for (const alarm of answered.flatMap((read) => read.alarms ?? [])) {
    seen.set(`${alarm.memberId}/${alarm.alarm}`, alarm);
  }
  return [...seen.values()];
}

function _failedWindows(error: unknown, message: (error: unknown) => string): PrometheusWindows {
  const aborted = error instanceof EtcdRequestError && error.reason === "aborted";
  return { get: () => undefined, error: message(error), aborted };
}

function _nobodyAnswered(
  options: ResolvedOptions,
  reads: readonly RawMember[],
  context: ObserveContext,
  message: (error: unknown) => string,
): ObservationError {
  const errors = reads.flatMap((read) => Object.values(read.failures));
  const reasons = new Set(
    errors.map((error) => (error instanceof EtcdRequestError ? error.reason : "unreachable")),
  );
  const reason: ObservationFailure = context.signal.aborted
    ? "aborted"
    : reasons.size === 1
      ? ([...reasons][0] as ObservationFailure)
      : "unreachable";
  const first = errors[0];
  return new ObservationError(
    `[etcd] No member of "${options.name}" answered (${options.endpoints.length} endpoint(s)): ${message(first)}`,
    { reason },
  );
}

function _message(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/^\[operator\] /, "");
  return String(error);
}
