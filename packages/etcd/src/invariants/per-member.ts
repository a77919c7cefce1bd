import type { EntityResult, Evaluation } from "@operator/core";
import type { EtcdObservation, MemberObservation } from "../observation.ts";

/**
 * Evaluates a per-member rule for every configured endpoint. Without a member list (read failed and
 * none cached) members cannot be named consistently, so the whole evaluation is unknown rather than
 * keyed differently.
 */
export function perMember(
  observation: EtcdObservation,
  evaluate: (member: MemberObservation) => EntityResult,
): Evaluation {
  if ("unknown" in observation.cluster) {
    return { unknown: `cannot name members: ${observation.cluster.unknown}` };
  }
  return observation.members.map(evaluate);
}

/** `n2 (http://10.0.1.6:2379)`, or the endpoint alone when the member has no name. */
export function describeMember(member: MemberObservation): string {
  return member.entity === member.endpoint ? member.endpoint : `${member.entity} (${member.endpoint})`;
}

/** The unknown result of a member that could not be read at all. */
export function unreachable(member: MemberObservation): EntityResult {
  return {
    entity: member.entity,
    outcome: "unknown",
    reason: `member ${describeMember(member)} cannot be read`,
  };
}
