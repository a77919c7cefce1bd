import type { Invariant } from "@operator/core";
import type { EtcdObservation } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `db_fragmentation` (warning, per member): less than `minInUseRatio` (50 %) of the backend file is
 * in use while the data in use is above `minInUseBytes` (100 MiB), as etcd's
 * `etcdDatabaseHighFragmentationRatio` rule says. The free pages count against the quota until the
 * member is defragmented.
 */
export const dbFragmentation: Invariant<EtcdObservation> = {
  name: "db_fragmentation",
  description: "Each etcd member's backend file is mostly in use (not fragmented).",
  defaults: {
    enabled: true,
    severity: "warning",
    forMs: 600_000,
    clearMs: 0,
    thresholds: { minInUseRatio: 0.5, minInUseBytes: 104_857_600 },
  },
  runbook: RUNBOOKS.dbFragmentation,
  evaluate(observation, settings) {
    const minRatio = settings.thresholds.minInUseRatio ?? 0.5;
    const minBytes = settings.thresholds.minInUseBytes ?? 104_857_600;
    return perMember(observation, (member) => {
      if (!member.reachable) return unreachable(member);
      const total = member.metrics?.dbTotalSizeBytes ?? member.status?.dbSizeBytes;
      const inUse = member.metrics?.dbInUseBytes ?? member.status?.dbSizeInUseBytes;
      if (total === undefined || inUse === undefined || !(total > 0)) {
        const why = member.errors.metrics ?? "the database size or its size in use is missing";
        return { entity: member.entity, outcome: "unknown", reason: why };
      }
      const ratio = inUse / total;
      if (ratio >= minRatio || inUse <= minBytes) return { entity: member.entity, outcome: "ok" };
      return {
        entity: member.entity,
        outcome: "violated",
        message: `etcd member ${describeMember(member)} uses ${Math.round(ratio * 100)} % of its ${_mib(total)} backend file (under ${Math.round(minRatio * 100)} %): defragmenting frees ${_mib(total - inUse)}`,
        values: {
          dbSizeBytes: total,
          dbSizeInUseBytes: inUse,
          inUseRatio: ratio,
          minInUseRatio: minRatio,
          minInUseBytes: minBytes,
        },
      };
    });
  },
};

// --- Internal helpers ---

function _mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
