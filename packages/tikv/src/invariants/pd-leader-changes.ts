import { DEFAULT_SETTINGS, formatDuration, type Invariant } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import { pdReadings } from "./pd-members.ts";
import { CLUSTER_ENTITY } from "./region-health.ts";

/** Name of the PD leader-change invariant. */
export const PD_LEADER_CHANGES = "pd_leader_changes";

/**
 * PD's leader is stable: at most `maxChanges` (1) leader changes within `windowSeconds` (600). The
 * subject reads PD's leader from `/members` every cycle and keeps the changes it saw in memory, so
 * this works without Prometheus; a change and back within one cycle is not seen, and the history
 * starts again when the daemon restarts (the first cycle afterwards is `unknown`). The official
 * `PD_leader_change` fires on a single change (two PD instances saving TSO within 10 m), which a
 * planned leader transfer or a rolling restart also does; one change is allowed here.
 */
export const pdLeaderChanges: Invariant<TikvObservation> = {
  name: PD_LEADER_CHANGES,
  description: "PD's leader does not change repeatedly within the window.",
  defaults: {
    ...DEFAULT_SETTINGS,
    severity: "warning",
    forMs: 0,
    thresholds: { maxChanges: 1, windowSeconds: 600 },
  },
  runbook: {
    hint: "Check the PD leader's log for lease expiry, its disk (etcd WAL fsync) and the network between PD members",
  },
  evaluate(observation, settings) {
    const pd = pdReadings(observation);
    if ("unknown" in pd) return pd;
    const history = pd.leaderHistory;
    if ("unknown" in history)
      return [{ entity: CLUSTER_ENTITY, outcome: "unknown", reason: history.unknown }];
    if (history.readings < 2) {
      return [
        {
          entity: CLUSTER_ENTITY,
          outcome: "unknown",
          reason: "First reading of PD's leader: changes are counted from the next cycle",
        },
      ];
    }
    const max = settings.thresholds.maxChanges ?? 1;
    const windowMs = (settings.thresholds.windowSeconds ?? 600) * 1000;
    const recent = history.changes.filter((change) => change.at > observation.at - windowMs);
    if (recent.length <= max) return [{ entity: CLUSTER_ENTITY, outcome: "ok" }];
    const coveredMs = Math.min(windowMs, observation.at - history.since);
    const moves = recent
      .slice(-5)
      .map((change) => `${change.from ?? "none"} -> ${change.to}`)
      .join(", ");
    return [
      {
        entity: CLUSTER_ENTITY,
        outcome: "violated",
        message: `PD leader changed ${recent.length} times in ${formatDuration(coveredMs)} (${moves}); more than ${max} per ${formatDuration(windowMs)}`,
        values: {
          changes: recent.length,
          maxChanges: max,
          windowMs,
          coveredMs,
          leader: history.leader,
          recentChanges: recent.slice(-20).map((change) => ({
            at: new Date(change.at).toISOString(),
            from: change.from,
            to: change.to,
          })),
        },
      },
    ];
  },
};
