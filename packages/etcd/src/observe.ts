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
import { METRICS, type MemberMetrics, parseMemberMetrics } from "./member-metrics.ts";
import { entityOf } from "./naming.ts";
import type { ClusterView, Derived, EtcdObservation, MemberObservation, MemberRead } from "./observation.ts";
import type { ResolvedOptions } from "./options.ts";
import type { PrometheusWindows } from "./prometheus.ts";

/** What the observer needs beyond the options. */
export interface ObserverSettings {
  /** Window of the leader-change count, from the `leader_changes` invariant's settings. */
  readonly leaderChangeWindowMs: number;
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
