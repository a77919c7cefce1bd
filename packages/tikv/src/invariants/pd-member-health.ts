import { DEFAULT_SETTINGS, type Invariant } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import { pdReadings } from "./pd-members.ts";

/** Name of the PD member-health invariant. */
export const PD_MEMBER_HEALTH = "pd_member_health";

/**
 * Every PD member answers: PD's `/health` pings each member's `/pd/api/v1/ping` and reports it. One
 * key per member name. When the unhealthy members are half or more of all members, PD's embedded
 * etcd has lost its quorum and every result is critical whatever the configured severity. Replaces
 * the official `PD_server_is_down`, which needs a blackbox exporter probing each PD.
 */
export const pdMemberHealth: Invariant<TikvObservation> = {
  name: PD_MEMBER_HEALTH,
  description: "Every PD member is healthy.",
  defaults: { ...DEFAULT_SETTINGS, severity: "warning", forMs: 60_000 },
  runbook: {
    hint: "Check the pd-server process and its log on the member's host, and that its client URL is reachable from the other members",
  },
  evaluate(observation) {
    const pd = pdReadings(observation);
    if ("unknown" in pd) return pd;
    if ("error" in pd.health)
      return { unknown: `PD's /health could not be read: ${pd.health.error.message}` };
    const members = pd.health;
    if (members.length === 0) return { unknown: "PD's /health listed no members: the list is not trusted" };
    const unhealthy = members.filter((member) => !member.healthy);
    const quorumLost = unhealthy.length * 2 >= members.length;
    return members.map((member) => {
      const entity = member.name !== "" ? member.name : member.memberId;
      if (member.healthy) return { entity, outcome: "ok" };
      const url = member.clientUrls[0];
      const quorum = quorumLost
        ? `; ${unhealthy.length} of ${members.length} members are unhealthy: PD has lost its quorum`
        : "";
      return {
        entity,
        outcome: "violated",
        message: `PD member ${entity}${url ? ` (${url})` : ""} is unhealthy: it did not answer PD's health check${quorum}`,
        values: {
          member: entity,
          memberId: member.memberId,
          clientUrls: member.clientUrls,
          unhealthyMembers: unhealthy.map((m) => m.name),
          members: members.length,
          quorumLost,
        },
        ...(quorumLost ? { severity: "critical" as const } : {}),
      };
    });
  },
};
