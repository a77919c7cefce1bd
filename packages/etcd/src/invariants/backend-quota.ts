import type { Invariant } from "@operator/core";
import type { EtcdObservation } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `backend_quota` (warning, critical past `criticalRatio`; per member): the backend database uses
 * more than `ratio` (80 %) of its quota, `etcd_mvcc_db_total_size_in_bytes /
 * etcd_server_quota_backend_bytes`; past `criticalRatio` (95 %, etcd's `etcdDatabaseQuotaLowSpace`)
 * the same key turns critical. At 100 % etcd raises the NOSPACE alarm and refuses writes; compaction
 * plus defragmentation gives the space back.
 */
export const backendQuota: Invariant<EtcdObservation> = {
  name: "backend_quota",
  description: "Each etcd member's backend database stays below its share of the space quota.",
  defaults: {
    enabled: true,
    severity: "warning",
    forMs: 0,
    clearMs: 0,
    thresholds: { ratio: 0.8, criticalRatio: 0.95 },
  },
  runbook: RUNBOOKS.backendQuota,
  evaluate(observation, settings) {
    const limit = settings.thresholds.ratio ?? 0.8;
    const critical = settings.thresholds.criticalRatio ?? 0.95;
    return perMember(observation, (member) => {
      if (!member.reachable) return unreachable(member);
      const size = member.metrics?.dbTotalSizeBytes ?? member.status?.dbSizeBytes;
      const quota = member.metrics?.quotaBackendBytes;
      if (size === undefined || quota === undefined || !(quota > 0)) {
        const why =
          member.errors.metrics ?? "etcd_server_quota_backend_bytes or the database size is missing";
        return { entity: member.entity, outcome: "unknown", reason: why };
      }
      const ratio = size / quota;
      if (ratio <= limit) return { entity: member.entity, outcome: "ok" };
      const tier = ratio > critical;
      return {
        entity: member.entity,
        outcome: "violated",
        ...(tier ? { severity: "critical" as const } : {}),
        message: `etcd member ${describeMember(member)} backend uses ${_mib(size)} of its ${_mib(quota)} quota (${Math.round(ratio * 100)} %, over ${Math.round((tier ? critical : limit) * 100)} %)${tier ? ": writes stop at 100 %" : ""}`,
        values: {
          dbSizeBytes: size,
          dbSizeInUseBytes: member.metrics?.dbInUseBytes ?? member.status?.dbSizeInUseBytes ?? null,
          quotaBytes: quota,
          ratio,
          limit,
          criticalRatio: critical,
        },
      };
    });
  },
};

// --- Internal helpers ---

function _mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
