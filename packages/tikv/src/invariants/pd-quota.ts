import {
  DEFAULT_SETTINGS,
  type EntityResult,
  type Invariant,
  type InvariantSettings,
  SEVERITIES,
  type Severity,
} from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import { type PdMetricName, QUOTA_PART } from "../pd-health.ts";
import type { Sample } from "../prometheus-client.ts";
import { formatValue } from "./format.ts";
import { evaluateMembers, memberEntity, memberLabel } from "./pd-members.ts";
import { jsonNumber } from "./per-store.ts";

/** Name of the PD CPU quota invariant. */
export const PD_CPU_QUOTA = "pd_cpu_quota";
/** Name of the PD memory quota invariant. */
export const PD_MEMORY_QUOTA = "pd_memory_quota";
/** Name of the PD embedded etcd backend quota invariant. */
export const PD_ETCD_QUOTA = "pd_etcd_quota";

/**
 * Each PD member uses at most `ratio` (80 %) of its CPU quota (`pd_service_maxprocs`, GOMAXPROCS),
 * as the official `PD_cpu_quota`. The official rule reads `irate(...[30s])` of
 * `process_cpu_seconds_total`, which jumps with scrape jitter; the rate over the rate window
 * smooths it, as for TiKV's `cpu_quota`.
 */
export const pdCpuQuota: Invariant<TikvObservation> = _quotaInvariant({
  name: PD_CPU_QUOTA,
  description: "Every PD member uses at most the threshold share of its CPU quota (GOMAXPROCS).",
  forMs: 45_000,
  hint: "Check the PD member's CPU profile (pd-ctl, /debug/pprof/profile) for the busy path: region heartbeats, TSO, schedulers",
  metric: "cpuQuota",
  unit: "cores",
  what: "CPU quota",
  used: "process_cpu_seconds_total",
  quota: "pd_service_maxprocs",
  consequence: "TSO and region heartbeats slow down",
});

/**
 * Each PD member's resident memory is at most `ratio` (80 %) of its memory quota
 * (`pd_service_memory_quota_bytes`), as the official `PD_memory_quota`.
 */
export const pdMemoryQuota: Invariant<TikvObservation> = _quotaInvariant({
  name: PD_MEMORY_QUOTA,
  description: "Every PD member's resident memory stays at or below the threshold share of its quota.",
  forMs: 15_000,
  hint: "Check the PD member's heap profile (/debug/pprof/heap) and its region count; take the profile before it is killed",
  metric: "memoryQuota",
  unit: "bytes",
  what: "memory quota",
  used: "process_resident_memory_bytes",
  quota: "pd_service_memory_quota_bytes",
  consequence: "the process risks being killed for memory",
});

/**
 * Each PD member's embedded etcd backend (`etcd_mvcc_db_total_size_in_bytes`) fills at most
 * `ratio` (80 %) of its quota (`etcd_server_quota_backend_bytes`, PD's `quota-backend-bytes`), as
 * etcd's own backend-quota alert; above `criticalRatio` (95 %) it is critical. At the quota etcd
 * raises NOSPACE and PD can no longer write: TSO, region meta and scheduling stop.
 */
export const pdEtcdQuota: Invariant<TikvObservation> = _quotaInvariant({
  name: PD_ETCD_QUOTA,
  description: "Every PD member's embedded etcd backend stays at or below the threshold share of its quota.",
  forMs: 60_000,
  hint: "Check PD's etcd compaction and defragment the member (etcdctl defrag); raise quota-backend-bytes if the data is real",
  metric: "etcdDbQuota",
  unit: "bytes",
  what: "etcd backend quota",
  used: "etcd_mvcc_db_total_size_in_bytes",
  quota: "etcd_server_quota_backend_bytes",
  consequence: "at the quota etcd refuses writes (NOSPACE) and PD stops",
  criticalRatio: 0.95,
});

// --- Internal helpers ---

interface QuotaSpec {
  readonly name: string;
  readonly description: string;
  readonly forMs: number;
  readonly hint: string;
  readonly metric: PdMetricName;
  readonly unit: "cores" | "bytes";
  readonly what: string;
  /** The metric of the amount used, for reasons. */
  readonly used: string;
  /** The metric of the quota, for reasons. */
  readonly quota: string;
  readonly consequence: string;
  /** Above this ratio the result is critical (no critical tier without it). */
  readonly criticalRatio?: number;
}

function _quotaInvariant(spec: QuotaSpec): Invariant<TikvObservation> {
  const thresholds: Record<string, number> = { ratio: 0.8 };
  if (spec.criticalRatio !== undefined) thresholds.criticalRatio = spec.criticalRatio;
  return {
    name: spec.name,
    description: spec.description,
    defaults: { ...DEFAULT_SETTINGS, severity: "warning", forMs: spec.forMs, thresholds },
    runbook: { hint: spec.hint },
    evaluate(observation, settings) {
      return evaluateMembers(observation, spec.metric, (member, samples, query) =>
        _judge(spec, settings, memberEntity(member), memberLabel(member), samples, query),
      );
    },
  };
}

function _judge(
  spec: QuotaSpec,
  settings: InvariantSettings,
  entity: string,
  label: string,
  samples: readonly Sample[],
  query: string,
): EntityResult {
  const threshold = settings.thresholds.ratio ?? 0.8;
  const critical =
    spec.criticalRatio === undefined ? undefined : (settings.thresholds.criticalRatio ?? spec.criticalRatio);
  const used = _part(samples, "used");
  const quota = _part(samples, "quota");
  if (used === undefined)
    return { entity, outcome: "unknown", reason: `PD member ${entity} has no ${spec.used} sample` };
  if (quota === undefined)
    return { entity, outcome: "unknown", reason: `PD member ${entity} has no ${spec.quota} sample` };
  if (!(quota > 0) || !Number.isFinite(used))
    return {
      entity,
      outcome: "unknown",
      reason: `PD member ${entity} reports ${spec.used} ${used} of ${spec.quota} ${quota}: no ratio can be taken`,
    };
  const ratio = used / quota;
  if (ratio <= threshold) return { entity, outcome: "ok" };
  const severe = critical !== undefined && ratio > critical;
  return {
    entity,
    outcome: "violated",
    message: `${label} uses ${formatValue(ratio, "ratio")} of its ${spec.what} (${formatValue(used, spec.unit)} of ${formatValue(quota, spec.unit)}; threshold ${formatValue(threshold, "ratio")}): ${spec.consequence}`,
    values: {
      member: entity,
      ratio: jsonNumber(ratio, 4),
      thresholdRatio: threshold,
      ...(critical === undefined ? {} : { criticalRatio: critical }),
      used: jsonNumber(used, 12),
      quota: jsonNumber(quota, 12),
      query,
    },
    ...(severe ? { severity: _atLeast("critical", settings.severity) } : {}),
  };
}

/** The sum of a member's samples of one part, undefined without any. */
function _part(samples: readonly Sample[], part: "used" | "quota"): number | undefined {
  const of = samples.filter((sample) => sample.labels[QUOTA_PART] === part);
  return of.length === 0 ? undefined : of.reduce((sum, sample) => sum + sample.value, 0);
}

/** The more urgent of two severities. */
function _atLeast(floor: Severity, severity: Severity): Severity {
  return SEVERITIES.indexOf(severity) < SEVERITIES.indexOf(floor) ? severity : floor;
}
