import type { Invariant } from "@operator/core";
import { sameUrl } from "../naming.ts";
import type { EtcdObservation } from "../observation.ts";
import { CLUSTER_ENTITY } from "./no-leader.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `insufficient_members` (critical, cluster): fewer voting members answer than a quorum,
 * `floor(voters / 2) + 1` of the member list (learners do not vote). Members of the list that are
 * not configured cannot be judged: while they could make up the quorum the result is `unknown`.
 * Without a majority etcd refuses every write and every linearizable read.
 */
export const insufficientMembers: Invariant<EtcdObservation> = {
  name: "insufficient_members",
  description: "A quorum (majority) of the etcd cluster's voting members answers.",
  defaults: { enabled: true, severity: "critical", forMs: 10_000, clearMs: 0, thresholds: {} },
  runbook: RUNBOOKS.insufficientMembers,
  evaluate(observation) {
    if ("unknown" in observation.cluster) {
      return { unknown: `cannot count members: ${observation.cluster.unknown}` };
    }
    const voters = observation.cluster.members.filter((member) => !member.isLearner);
    if (voters.length === 0) return { unknown: "the member list has no voting member" };
    const quorum = Math.floor(voters.length / 2) + 1;
    const up: string[] = [];
    const down: string[] = [];
    const unwatched: string[] = [];
    for (const voter of voters) {
      const configured = observation.members.find((candidate) =>
        voter.clientUrls.some((url) => sameUrl(url, candidate.endpoint)),
      );
      const name = voter.name || voter.id;
      if (!configured) unwatched.push(name);
      else if (configured.reachable) up.push(name);
      else down.push(name);
    }
    for (const list of [up, down, unwatched]) list.sort();
    const values = { voters: voters.length, quorum, up, down, unwatched };
    if (up.length >= quorum) return [{ entity: CLUSTER_ENTITY, outcome: "ok" }];
    if (up.length + unwatched.length >= quorum) {
      return [
        {
          entity: CLUSTER_ENTITY,
          outcome: "unknown",
          reason: `${up.length} of ${voters.length} voting members answer and ${unwatched.length} (${unwatched.join(", ")}) are not configured as endpoints: cannot tell whether ${quorum} are up`,
        },
      ];
    }
    return [
      {
        entity: CLUSTER_ENTITY,
        outcome: "violated",
        message: `etcd has lost its quorum: ${up.length} of ${voters.length} voting members answer, ${quorum} are needed (down: ${down.join(", ") || "none"})`,
        values,
      },
    ];
  },
};
