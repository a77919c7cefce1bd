import type { Invariant } from "@operator/core";
import type { EtcdObservation, MemberObservation } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `member_no_leader` (critical, per member): the member itself knows no Raft leader
 * (`etcd_server_has_leader` 0, or its status has no leader or says `etcdserver: no leader`), as
 * etcd's `etcdNoLeader` rule judges each instance. Unlike the cluster-wide `no_leader`, this sees a
 * member cut off from a majority that still has a leader. The 1 minute grace (the rule's `for`) lets
 * elections pass.
 */
export const memberNoLeader: Invariant<EtcdObservation> = {
  name: "member_no_leader",
  description: "Every reachable etcd member knows a Raft leader.",
  defaults: { enabled: true, severity: "critical", forMs: 60_000, clearMs: 0, thresholds: {} },
  runbook: RUNBOOKS.memberNoLeader,
  evaluate(observation) {
    const leaders = new Set(
      observation.members.filter((member) => member.reachable && hasLeader(member)).map((m) => m.entity),
    );
    return perMember(observation, (member) => {
      if (!member.reachable) return unreachable(member);
      const known = hasLeader(member);
      if (known === undefined) {
        const why = member.errors.metrics ?? "neither etcd_server_has_leader nor the status API says";
        return { entity: member.entity, outcome: "unknown", reason: why };
      }
      if (known) return { entity: member.entity, outcome: "ok" };
      const others = [...leaders];
      return {
        entity: member.entity,
        outcome: "violated",
        message:
          others.length > 0
            ? `etcd member ${describeMember(member)} knows no leader while ${others.join(", ")} follow one: it is cut off from the majority`
            : `etcd member ${describeMember(member)} knows no leader (no reachable member does)`,
        values: {
          hasLeader: member.metrics?.hasLeader ?? null,
          statusErrors: member.status?.errors ?? [],
          membersWithLeader: others,
        },
      };
    });
  },
};

/** Whether a member knows a leader: its metric first, else its status; `undefined` when neither says. */
export function hasLeader(member: MemberObservation): boolean | undefined {
  const metric = member.metrics?.hasLeader;
  if (metric !== undefined) return metric === 1;
  const status = member.status;
  if (!status) return undefined;
  if (status.errors.some((error) => error.includes("no leader"))) return false;
  return status.leader !== undefined;
}
