import { DEFAULT_SETTINGS, type Invariant } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import type { PdMemberInfo } from "../pd-api-schemas.ts";
import { evaluateMembers, formatSeconds, memberEntity, memberLabel } from "./pd-members.ts";
import { jsonNumber } from "./per-store.ts";

/** Name of the PD WAL-fsync invariant. */
export const PD_ETCD_WAL_FSYNC = "pd_etcd_wal_fsync";
/** Name of the PD peer round-trip invariant. */
export const PD_ETCD_PEER_LATENCY = "pd_etcd_peer_latency";

/**
 * The p99 of each PD member's embedded etcd WAL fsync
 * (`etcd_disk_wal_fsync_duration_seconds`, over the rate window) stays at or below `p99Seconds`
 * (1 s, the official `PD_etcd_write_disk_latency`, critical). A slow fsync delays every PD write,
 * TSO persistence included, and can cost the leader its lease. No fsync in the window (`NaN`) holds.
 */
export const pdEtcdWalFsync: Invariant<TikvObservation> = {
  name: PD_ETCD_WAL_FSYNC,
  description: "The WAL fsync p99 of every PD member's embedded etcd stays at or below the threshold.",
  defaults: { ...DEFAULT_SETTINGS, severity: "critical", forMs: 60_000, thresholds: { p99Seconds: 1 } },
  runbook: {
    hint: "Check the PD member's data disk latency (iostat -x) and whatever else writes to that disk",
  },
  evaluate(observation, settings) {
    const threshold = settings.thresholds.p99Seconds ?? 1;
    return evaluateMembers(observation, "etcdWalFsyncP99", (member, samples, query) => {
      const entity = memberEntity(member);
      const p99 = Math.max(...samples.map((sample) => sample.value));
      if (Number.isNaN(p99) || p99 <= threshold) return { entity, outcome: "ok" };
      return {
        entity,
        outcome: "violated",
        message: `${memberLabel(member)} etcd WAL fsync p99 is ${formatSeconds(p99)} (threshold ${formatSeconds(threshold)})`,
        values: { member: entity, p99Seconds: jsonNumber(p99), thresholdSeconds: threshold, query },
      };
    });
  },
};

/**
 * The p99 round trip from each PD member to each of its peers
 * (`etcd_network_peer_round_trip_time_seconds`, `To` = the peer's id) stays at or below
 * `p99Seconds` (1 s, the official `PD_etcd_network_peer_latency`). One key per member; the message
 * names the slowest peer. A single-member PD has no peers and holds.
 */
export const pdEtcdPeerLatency: Invariant<TikvObservation> = {
  name: PD_ETCD_PEER_LATENCY,
  description: "Round trips between PD members' embedded etcd stay at or below the threshold.",
  defaults: { ...DEFAULT_SETTINGS, severity: "warning", forMs: 60_000, thresholds: { p99Seconds: 1 } },
  runbook: {
    hint: "Check the network between the named PD members (ping, packet loss, bandwidth) and their CPU load",
  },
  evaluate(observation, settings) {
    const threshold = settings.thresholds.p99Seconds ?? 1;
    const evaluation = evaluateMembers(observation, "etcdPeerRttP99", (member, samples, query, all) => {
      const entity = memberEntity(member);
      const peers = samples
        .map((sample) => ({ peer: _peerName(sample.labels.To, all), p99: sample.value }))
        .sort((a, b) => _rank(b.p99) - _rank(a.p99));
      const worst = peers[0];
      if (!worst || Number.isNaN(worst.p99) || worst.p99 <= threshold) return { entity, outcome: "ok" };
      return {
        entity,
        outcome: "violated",
        message: `${memberLabel(member)} round trip to peer ${worst.peer} has p99 ${formatSeconds(worst.p99)} (threshold ${formatSeconds(threshold)})`,
        values: {
          member: entity,
          slowestPeer: worst.peer,
          p99Seconds: jsonNumber(worst.p99),
          thresholdSeconds: threshold,
          peers: Object.fromEntries(peers.map((peer) => [peer.peer, jsonNumber(peer.p99)])),
          query,
        },
      };
    });
    if (!Array.isArray(evaluation)) return evaluation;
    const pd = observation.pd;
    const single = pd && !("error" in pd.members) && pd.members.members.length === 1;
    return single
      ? evaluation.map((result) => ({ entity: result.entity, outcome: "ok" as const }))
      : evaluation;
  },
};

// --- Internal helpers ---

/** etcd labels peers by id in hex (`types.ID.String()`). */
function _peerName(to: string | undefined, members: readonly PdMemberInfo[]): string {
  if (to === undefined) return "unknown";
  const peer = members.find((member) => {
    try {
      return BigInt(member.memberId).toString(16) === to.toLowerCase();
    } catch {
      return false;
    }
  });
  return peer ? memberEntity(peer) : to;
}

function _rank(value: number): number {
  return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
}
