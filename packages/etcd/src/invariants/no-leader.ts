import type { Invariant } from "@operator/core";
import type { EtcdObservation } from "../observation.ts";
import { hasLeader } from "./member-no-leader.ts";
import { RUNBOOKS } from "./runbooks.ts";

/** Entity of cluster-level results. */
export const CLUSTER_ENTITY = "cluster";

/**
 * `no_leader` (critical, cluster): no reachable member knows a leader (`etcd_server_has_leader` is 0,
 * or the status API has no leader or says `etcdserver: no leader`). `/health` answers 503 during every
 * election, so a 10 s grace keeps one election from opening a ticket.
 */
export const noLeader: Invariant<EtcdObservation> = {
  name: "no_leader",
  description: "The reachable etcd members know a Raft leader.",
  defaults: { enabled: true, severity: "critical", forMs: 10_000, clearMs: 0, thresholds: {} },
  runbook: RUNBOOKS.noLeader,
  evaluate(observation) {
    const views = observation.members
      .filter((member) => member.reachable)
      .map((member) => ({ member, hasLeader: hasLeader(member) }));
    const known = views.filter((view) => view.hasLeader !== undefined);
    if (known.length === 0) {
      return [
        { entity: CLUSTER_ENTITY, outcome: "unknown", reason: "no reachable member reported its leader" },
      ];
    }
    if (known.some((view) => view.hasLeader)) return [{ entity: CLUSTER_ENTITY, outcome: "ok" }];
    const members = Object.fromEntries(
      known.map(({ member }) => [
        member.entity,
        { hasLeader: member.metrics?.hasLeader ?? null, statusErrors: member.status?.errors ?? [] },
      ]),
    );
    return [
      {
        entity: CLUSTER_ENTITY,
        outcome: "violated",
        message: `etcd has no leader: none of ${known.length} reachable member(s) knows one (${known
          .map((view) => view.member.entity)
          .join(", ")})`,
        values: { reachableMembers: known.length, configuredMembers: observation.members.length, members },
      },
    ];
  },
};
