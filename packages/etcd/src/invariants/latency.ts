import type { Invariant } from "@operator/core";
import { type EtcdObservation, isKnown, type MemberObservation } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";

/**
 * `wal_fsync_latency` (warning, per member): p99 of `etcd_disk_wal_fsync_duration_seconds` over the
 * last cycle above `p99Seconds` (0.5 s, as etcd's own alerting rules warn). A slow disk here delays
 * every write and can cost the leader its lease.
 */
export const walFsyncLatency: Invariant<EtcdObservation> = _latencyInvariant({
  name: "wal_fsync_latency",
  description: "WAL fsync p99 on each etcd member stays below the threshold.",
  what: "WAL fsync",
  read: (member) => member.walFsync,
  p99Seconds: 0.5,
});

/**
 * `backend_commit_latency` (warning, per member): p99 of `etcd_disk_backend_commit_duration_seconds`
 * over the last cycle above `p99Seconds` (0.25 s, as etcd's own alerting rules warn).
 */
export const backendCommitLatency: Invariant<EtcdObservation> = _latencyInvariant({
  name: "backend_commit_latency",
  description: "Backend commit p99 on each etcd member stays below the threshold.",
  what: "backend commit",
  read: (member) => member.backendCommit,
  p99Seconds: 0.25,
});

// --- Internal helpers ---

function _latencyInvariant(spec: {
  name: string;
  description: string;
  what: string;
  read: (member: MemberObservation) => MemberObservation["walFsync"];
  p99Seconds: number;
}): Invariant<EtcdObservation> {
  return {
    name: spec.name,
    description: spec.description,
    defaults: {
      enabled: true,
      severity: "warning",
      forMs: 60_000,
      clearMs: 0,
      thresholds: { p99Seconds: spec.p99Seconds },
    },
    evaluate(observation, settings) {
      const limit = settings.thresholds.p99Seconds ?? spec.p99Seconds;
      return perMember(observation, (member) => {
        if (!member.reachable) return unreachable(member);
        const window = spec.read(member);
        if (!isKnown(window)) return { entity: member.entity, outcome: "unknown", reason: window.unknown };
        if (window.p99Seconds === null || window.p99Seconds <= limit)
          return { entity: member.entity, outcome: "ok" };
        return {
          entity: member.entity,
          outcome: "violated",
          message: `etcd member ${describeMember(member)} ${spec.what} p99 is ${_ms(window.p99Seconds)} (over ${_ms(limit)})`,
          values: {
            p99Seconds: window.p99Seconds,
            limitSeconds: limit,
            operations: window.operations,
            windowMs: window.windowMs,
            source: window.source,
          },
        };
      });
    },
  };
}

function _ms(seconds: number): string {
  return `${Math.round(seconds * 1000)} ms`;
}
