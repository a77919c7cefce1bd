import type { Invariant } from "@operator/core";
import { formatDuration } from "@operator/core";
import { type EtcdObservation, isKnown } from "../observation.ts";
import { CLUSTER_ENTITY } from "./no-leader.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `leader_changes` (warning, cluster): more than `maxChanges` leader changes within `windowSeconds`,
 * the largest increase of `etcd_server_leader_changes_seen_total` any reachable member saw. The
 * window is read when the subject is built (from its invariant overrides).
 */
export const leaderChanges: Invariant<EtcdObservation> = {
  name: "leader_changes",
  description: "The etcd leader is stable: few leader changes within the window.",
  defaults: {
    enabled: true,
    severity: "warning",
    forMs: 0,
    clearMs: 0,
    thresholds: { maxChanges: 3, windowSeconds: 600 },
  },
  runbook: RUNBOOKS.leaderChanges,
  evaluate(observation, settings) {
    const max = settings.thresholds.maxChanges ?? 3;
    const windows = observation.members.flatMap((member) =>
      isKnown(member.leaderChanges) ? [{ member: member.entity, ...member.leaderChanges }] : [],
    );
    if (windows.length === 0) {
      const reasons = observation.members.map((member) =>
        isKnown(member.leaderChanges) ? "" : `${member.entity}: ${member.leaderChanges.unknown}`,
      );
      return [{ entity: CLUSTER_ENTITY, outcome: "unknown", reason: reasons.filter(Boolean).join("; ") }];
    }
    const worst = windows.reduce((a, b) => (b.increase > a.increase ? b : a));
    if (worst.increase <= max) return [{ entity: CLUSTER_ENTITY, outcome: "ok" }];
    return [
      {
        entity: CLUSTER_ENTITY,
        outcome: "violated",
        message: `etcd leader changed ${worst.increase} times in ${formatDuration(worst.coveredMs)} (member ${worst.member}; more than ${max} per ${formatDuration(worst.windowMs)})`,
        values: {
          changes: worst.increase,
          maxChanges: max,
          windowMs: worst.windowMs,
          coveredMs: worst.coveredMs,
          member: worst.member,
          source: worst.source,
        },
      },
    ];
  },
};
