import type { Invariant } from "@operator/core";
import { formatDuration } from "@operator/core";
import { type EtcdObservation, isKnown } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `db_growth` (warning, per member): a straight line through the database size of the last
 * `windowSeconds` (4 h) reaches the backend quota within `horizonSeconds` (4 h), as etcd's
 * `etcdExcessiveDatabaseGrowth` rule predicts with `predict_linear`. The line is fitted to the
 * samples the subject kept itself, so it needs `minCoverageSeconds` (30 min) of them first (unknown
 * until then, and again after a monitor restart). Windows are read when the subject is built.
 */
export const dbGrowth: Invariant<EtcdObservation> = {
  name: "db_growth",
  description: "No etcd member's database grows fast enough to fill its quota within the horizon.",
  defaults: {
    enabled: true,
    severity: "warning",
    forMs: 600_000,
    clearMs: 0,
    thresholds: { windowSeconds: 14_400, horizonSeconds: 14_400, minCoverageSeconds: 1800 },
  },
  runbook: RUNBOOKS.dbGrowth,
  evaluate(observation, settings) {
    const minCoverageMs = (settings.thresholds.minCoverageSeconds ?? 1800) * 1000;
    return perMember(observation, (member) => {
      if (!member.reachable) return unreachable(member);
      const trend = member.dbGrowth;
      if (!isKnown(trend)) return { entity: member.entity, outcome: "unknown", reason: trend.unknown };
      const quota = member.metrics?.quotaBackendBytes;
      if (quota === undefined || !(quota > 0)) {
        return {
          entity: member.entity,
          outcome: "unknown",
          reason: "etcd_server_quota_backend_bytes is missing",
        };
      }
      if (trend.coveredMs < minCoverageMs) {
        return {
          entity: member.entity,
          outcome: "unknown",
          reason: `the size trend covers ${formatDuration(trend.coveredMs)}; it needs ${formatDuration(minCoverageMs)}`,
        };
      }
      if (trend.predicted <= quota) return { entity: member.entity, outcome: "ok" };
      const size = member.metrics?.dbTotalSizeBytes ?? null;
      return {
        entity: member.entity,
        outcome: "violated",
        message: `etcd member ${describeMember(member)} database grows ${_mib(trend.bytesPerHour)}/h and would pass its ${_mib(quota)} quota within ${formatDuration(trend.horizonMs)} (now ${size === null ? "?" : _mib(size)})`,
        values: {
          dbSizeBytes: size,
          quotaBytes: quota,
          predictedBytes: Math.round(trend.predicted),
          bytesPerHour: Math.round(trend.bytesPerHour),
          horizonMs: trend.horizonMs,
          coveredMs: trend.coveredMs,
        },
      };
    });
  },
};

// --- Internal helpers ---

function _mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
