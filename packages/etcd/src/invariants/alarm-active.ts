import type { EntityResult, Invariant } from "@operator/core";
import type { ClusterMember } from "../gateway.ts";
import { sameUrl } from "../naming.ts";
import type { EtcdObservation } from "../observation.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `alarm_active` (critical, per member): the alarm API lists an alarm for the member: `NOSPACE` (the
 * backend reached its quota; writes are refused) or `CORRUPT` (a hash check found divergent data).
 * An alarm stays until an operator disarms it, so there is no grace period.
 */
export const alarmActive: Invariant<EtcdObservation> = {
  name: "alarm_active",
  description: "No etcd member has an active alarm (NOSPACE, CORRUPT).",
  defaults: { enabled: true, severity: "critical", forMs: 0, clearMs: 0, thresholds: {} },
  runbook: RUNBOOKS.alarmActive,
  evaluate(observation) {
    if ("unknown" in observation.cluster) {
      return { unknown: `cannot name members: ${observation.cluster.unknown}` };
    }
    const alarms = observation.alarms;
    if (!alarms) return { unknown: "no member answered the alarm API" };
    const members = observation.cluster.members;
    const entityOf = (member: ClusterMember): string => {
      const configured = observation.members.find((candidate) =>
        member.clientUrls.some((url) => sameUrl(url, candidate.endpoint)),
      );
      return configured?.entity ?? (member.name || member.id);
    };
    const results: EntityResult[] = members.map((member) => {
      const active = alarms.filter((alarm) => alarm.memberId === member.id).map((alarm) => alarm.alarm);
      const entity = entityOf(member);
      if (active.length === 0) return { entity, outcome: "ok" };
      return {
        entity,
        outcome: "violated",
        message: `etcd member ${entity} has alarm ${active.join(", ")}${active.includes("NOSPACE") ? ": writes are refused until space is freed and the alarm disarmed" : ""}`,
        values: { memberId: member.id, alarms: active },
      };
    });
    for (const alarm of alarms) {
      if (members.some((member) => member.id === alarm.memberId)) continue;
      results.push({
        entity: alarm.memberId,
        outcome: "violated",
        message: `etcd alarm ${alarm.alarm} on member ${alarm.memberId}, which the member list does not show`,
        values: { memberId: alarm.memberId, alarms: [alarm.alarm] },
      });
    }
    return results;
  },
};
