import type { Invariant } from "@operator/core";
import type { EtcdObservation } from "../observation.ts";
import { describeMember, perMember } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `member_unreachable` (critical, per member): none of a member's endpoints (`/health`, `/metrics`,
 * the status and alarm APIs) answered. The 10 s grace keeps a restart from opening a ticket.
 */
export const memberUnreachable: Invariant<EtcdObservation> = {
  name: "member_unreachable",
  description: "Every configured etcd member answers on its client URL.",
  defaults: { enabled: true, severity: "critical", forMs: 10_000, clearMs: 0, thresholds: {} },
  runbook: RUNBOOKS.memberUnreachable,
  evaluate(observation) {
    return perMember(observation, (member) => {
      if (member.reachable) return { entity: member.entity, outcome: "ok" };
      const errors = Object.values(member.errors);
      return {
        entity: member.entity,
        outcome: "violated",
        message: `etcd member ${describeMember(member)} cannot be reached: ${errors[0] ?? "no answer"}`,
        values: { endpoint: member.endpoint, errors: member.errors },
      };
    });
  },
};
