import { DEFAULT_SETTINGS, formatDuration, type Invariant } from "@operator/core";
import { groupByInstance } from "../join.ts";
import { isMetricFailure, type TikvObservation } from "../observation.ts";
import { memberEntity, memberInstances, pdReadings } from "./pd-members.ts";
import { CLUSTER_ENTITY } from "./region-health.ts";

/** Name of the PD leader-change invariant. */
export const PD_LEADER_CHANGES = "pd_leader_changes";

/**
 * PD's leader is stable: at most `maxChanges` (1) leader changes within `windowSeconds` (600). Two
 * sources, the larger count wins:
 *
 * - Prometheus: the members whose `pd_tso_events{type="save"}` rose in the window each led during
 *   it (only the leader saves its TSO window, every 3 s), so their number minus one is a lower bound
 *   of the changes. It survives a restart of the daemon and needs no second cycle, so a one-shot
 *   `operator check` knows it too.
 * - The subject's own history of PD's leader from `/members`, cycle after cycle (in memory), which
 *   also counts a change and back (pd-1 -> pd-2 -> pd-1) that Prometheus sees as two leaders.
 *
 * Without Prometheus the invariant is left out: the history alone knows nothing on a first cycle.
 * The official `PD_leader_change` fires on a single change (two members saving within 10 m), which
 * a planned leader transfer or a rolling restart also does; one change is allowed here.
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
    const max = settings.thresholds.maxChanges ?? 1;
    const windowMs = (settings.thresholds.windowSeconds ?? 600) * 1000;
    const reasons: string[] = [];

    let seen: { changes: number; moves: string[]; coveredMs: number } | undefined;
    const history = pd.leaderHistory;
    if ("unknown" in history) reasons.push(history.unknown);
    else if (history.readings < 2)
      reasons.push("first reading of PD's leader (changes are counted from the next cycle)");
    else {
      const recent = history.changes.filter((change) => change.at > observation.at - windowMs);
      seen = {
        changes: recent.length,
        moves: recent.slice(-5).map((change) => `${change.from ?? "none"} -> ${change.to}`),
        coveredMs: Math.min(windowMs, observation.at - history.since),
      };
    }

    let leaders: string[] | undefined;
    const reading = pd.metrics.tsoSaves;
    if (!reading) reasons.push("no Prometheus reading of pd_tso_events");
    else if (isMetricFailure(reading)) reasons.push(`Prometheus query failed: ${reading.error.message}`);
    else if ("error" in pd.members)
      reasons.push(`PD's members could not be read: ${pd.members.error.message}`);
    else {
      const byInstance = groupByInstance(reading.samples);
      const scraped = pd.members.members.filter((member) =>
        memberInstances(member).some((instance) => byInstance.has(instance)),
      );
      if (scraped.length === 0) reasons.push("no pd_tso_events sample for any PD member in Prometheus");
      else {
        leaders = scraped
          .filter((member) =>
            memberInstances(member).some((instance) =>
              (byInstance.get(instance) ?? []).some((sample) => sample.value > 0),
            ),
          )
          .map(memberEntity);
      }
    }

    if (!seen && !leaders)
      return [{ entity: CLUSTER_ENTITY, outcome: "unknown", reason: reasons.join("; ") }];
    const fromPrometheus = leaders ? Math.max(0, leaders.length - 1) : 0;
    const changes = Math.max(seen?.changes ?? 0, fromPrometheus);
    if (changes <= max) return [{ entity: CLUSTER_ENTITY, outcome: "ok" }];
    const detail =
      seen && seen.changes >= fromPrometheus
        ? `${seen.moves.join(", ")}`
        : `${(leaders ?? []).join(", ")} each led`;
    return [
      {
        entity: CLUSTER_ENTITY,
        outcome: "violated",
        message: `PD leader changed ${changes} times within ${formatDuration(windowMs)} (${detail}); more than ${max}`,
        values: {
          changes,
          maxChanges: max,
          windowMs,
          leader: "unknown" in history ? null : history.leader,
          seenChanges: seen?.changes ?? null,
          coveredMs: seen?.coveredMs ?? null,
          leadersInWindow: leaders ?? null,
          query: reading?.query ?? null,
        },
      },
    ];
  },
};
