import type { Invariant } from "@operator/core";
import { formatDuration } from "@operator/core";
import { type EtcdObservation, isKnown } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `proposals_failed` (warning, per member): more than `maxFailures` (5) failed Raft proposals within
 * `windowSeconds` (15 min), the increase of `etcd_server_proposals_failed_total`. Proposals fail
 * when there is no leader or no quorum to commit them: every one is a write a client saw fail. The
 * window is read when the subject is built.
 */
export const proposalsFailed: Invariant<EtcdObservation> = {
  name: "proposals_failed",
  description: "Raft proposals on each etcd member rarely fail.",
  defaults: {
    enabled: true,
    severity: "warning",
    forMs: 0,
    clearMs: 0,
    thresholds: { maxFailures: 5, windowSeconds: 900 },
  },
  runbook: RUNBOOKS.proposalsFailed,
  evaluate(observation, settings) {
    const max = settings.thresholds.maxFailures ?? 5;
    return perMember(observation, (member) => {
      if (!member.reachable) return unreachable(member);
      const window = member.proposalsFailed;
      if (!isKnown(window)) return { entity: member.entity, outcome: "unknown", reason: window.unknown };
      if (window.increase <= max) return { entity: member.entity, outcome: "ok" };
      return {
        entity: member.entity,
        outcome: "violated",
        message: `etcd member ${describeMember(member)} had ${window.increase} failed proposals in ${formatDuration(window.coveredMs)} (more than ${max} per ${formatDuration(window.windowMs)})`,
        values: {
          failed: window.increase,
          maxFailures: max,
          windowMs: window.windowMs,
          coveredMs: window.coveredMs,
        },
      };
    });
  },
};
