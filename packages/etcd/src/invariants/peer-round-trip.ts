import type { Invariant } from "@operator/core";
import { type EtcdObservation, isKnown } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `peer_round_trip` (warning, per member): p99 of `etcd_network_peer_round_trip_time_seconds` to
 * any peer since the previous cycle above `p99Seconds` (0.15 s, as etcd's
 * `etcdMemberCommunicationSlow` rule says). One key per member; the message names the slowest peer.
 * A single-member cluster has no peers: unknown.
 */
export const peerRoundTrip: Invariant<EtcdObservation> = {
  name: "peer_round_trip",
  description: "Each etcd member reaches its peers with a low round-trip time.",
  defaults: {
    enabled: true,
    severity: "warning",
    forMs: 600_000,
    clearMs: 0,
    thresholds: { p99Seconds: 0.15 },
  },
  runbook: RUNBOOKS.peerRoundTrip,
  evaluate(observation, settings) {
    const limit = settings.thresholds.p99Seconds ?? 0.15;
    return perMember(observation, (member) => {
      if (!member.reachable) return unreachable(member);
      const window = member.peerLatency;
      if (!isKnown(window)) return { entity: member.entity, outcome: "unknown", reason: window.unknown };
      const slow = window.peers.filter((peer) => peer.p99Seconds !== null && peer.p99Seconds > limit);
      if (slow.length === 0) return { entity: member.entity, outcome: "ok" };
      const worst = slow[0] as { peer: string; p99Seconds: number };
      const names = new Map(
        "unknown" in observation.cluster
          ? []
          : observation.cluster.members.map((m) => [m.id, m.name || m.id]),
      );
      const peerName = (id: string) => names.get(id) ?? _decimalId(id, names) ?? id;
      return {
        entity: member.entity,
        outcome: "violated",
        message: `etcd member ${describeMember(member)} round trip to ${peerName(worst.peer)} has a p99 of ${Math.round(worst.p99Seconds * 1000)} ms (over ${Math.round(limit * 1000)} ms)${slow.length > 1 ? `; ${slow.length - 1} more peer(s) slow` : ""}`,
        values: {
          slowest: peerName(worst.peer),
          p99Seconds: worst.p99Seconds,
          limitSeconds: limit,
          peers: window.peers.map((peer) => ({ ...peer, name: peerName(peer.peer) })),
          windowMs: window.windowMs,
        },
      };
    });
  },
};

// --- Internal helpers ---

/** The `To` label is a hex member id; the member list gives decimal ids. */
function _decimalId(hex: string, names: ReadonlyMap<string, string>): string | undefined {
  if (!/^[0-9a-f]{1,16}$/i.test(hex)) return undefined;
  return names.get(BigInt(`0x${hex}`).toString());
}
