import type { Invariant, Runbook, Severity } from "@operator/core";
import { type EtcdObservation, isKnown, type MemberObservation } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `wal_fsync_latency` (warning, critical past `criticalP99Seconds`; per member): p99 of
 * `etcd_disk_wal_fsync_duration_seconds` over the last cycle above `p99Seconds` (0.5 s) or
 * `criticalP99Seconds` (1 s), etcd's two `etcdHighFsyncDurations` rules. A slow disk here delays
 * every write and can cost the leader its lease.
 */
export const walFsyncLatency: Invariant<EtcdObservation> = _latencyInvariant({
  name: "wal_fsync_latency",
  description: "WAL fsync p99 on each etcd member stays below the threshold.",
  what: "WAL fsync",
  read: (member) => member.walFsync,
  p99Seconds: 0.5,
  criticalP99Seconds: 1,
  runbook: RUNBOOKS.walFsync,
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
  runbook: RUNBOOKS.backendCommit,
});

/**
 * `grpc_latency` (critical, per member): p99 of unary gRPC request handling
 * (`grpc_server_handling_seconds`, every method but `Defragment`) over the last cycle above
 * `p99Seconds` (0.15 s) for 10 minutes, as etcd's `etcdGRPCRequestsSlow` rule says. etcd exposes
 * the histogram only when started with `--metrics=extensive`; without it the result is unknown.
 */
export const grpcLatency: Invariant<EtcdObservation> = _latencyInvariant({
  name: "grpc_latency",
  description: "Unary gRPC request p99 on each etcd member stays below the threshold.",
  what: "gRPC request",
  read: (member) => member.grpcLatency,
  p99Seconds: 0.15,
  severity: "critical",
  forMs: 600_000,
  runbook: RUNBOOKS.grpcLatency,
});

// --- Internal helpers ---

function _latencyInvariant(spec: {
  name: string;
  description: string;
  what: string;
  read: (member: MemberObservation) => MemberObservation["walFsync"];
  p99Seconds: number;
  /** A second, critical tier (a result severity) above this p99. */
  criticalP99Seconds?: number;
  severity?: Severity;
  forMs?: number;
  runbook: Runbook;
}): Invariant<EtcdObservation> {
  return {
    name: spec.name,
    description: spec.description,
    defaults: {
      enabled: true,
      severity: spec.severity ?? "warning",
      forMs: spec.forMs ?? 60_000,
      clearMs: 0,
      thresholds: {
        p99Seconds: spec.p99Seconds,
        ...(spec.criticalP99Seconds === undefined ? {} : { criticalP99Seconds: spec.criticalP99Seconds }),
      },
    },
    runbook: spec.runbook,
    evaluate(observation, settings) {
      const limit = settings.thresholds.p99Seconds ?? spec.p99Seconds;
      const critical = settings.thresholds.criticalP99Seconds ?? spec.criticalP99Seconds;
      return perMember(observation, (member) => {
        if (!member.reachable) return unreachable(member);
        const window = spec.read(member);
        if (!isKnown(window)) return { entity: member.entity, outcome: "unknown", reason: window.unknown };
        if (window.p99Seconds === null || window.p99Seconds <= limit)
          return { entity: member.entity, outcome: "ok" };
        const tier = critical !== undefined && window.p99Seconds > critical;
        return {
          entity: member.entity,
          outcome: "violated",
          ...(tier ? { severity: "critical" as const } : {}),
          message: `etcd member ${describeMember(member)} ${spec.what} p99 is ${_ms(window.p99Seconds)} (over ${_ms(tier ? (critical as number) : limit)})`,
          values: {
            p99Seconds: window.p99Seconds,
            limitSeconds: limit,
            ...(critical === undefined ? {} : { criticalSeconds: critical }),
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
