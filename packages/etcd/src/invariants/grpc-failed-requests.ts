import type { Invariant } from "@operator/core";
import { formatDuration } from "@operator/core";
import { type EtcdObservation, isKnown } from "../observation.ts";
import { describeMember, perMember, unreachable } from "./per-member.ts";
import { RUNBOOKS } from "./runbooks.ts";

/**
 * `grpc_failed_requests` (warning, critical past `criticalPercent`; per member): the share of the
 * member's unary gRPC requests that failed (codes Unknown, FailedPrecondition, ResourceExhausted,
 * Internal, Unavailable, DataLoss, DeadlineExceeded) within `windowSeconds` (5 min) is above
 * `warningPercent` (1 %) or `criticalPercent` (5 %), as etcd's `etcdHighNumberOfFailedGRPCRequests`
 * rules say. Fewer than `minRequests` requests in the window are too few to judge (ok). The window
 * is read when the subject is built.
 */
export const grpcFailedRequests: Invariant<EtcdObservation> = {
  name: "grpc_failed_requests",
  description: "Few of each etcd member's gRPC requests fail.",
  defaults: {
    enabled: true,
    severity: "warning",
    forMs: 300_000,
    clearMs: 0,
    thresholds: { warningPercent: 1, criticalPercent: 5, minRequests: 10, windowSeconds: 300 },
  },
  runbook: RUNBOOKS.grpcFailed,
  evaluate(observation, settings) {
    const warning = settings.thresholds.warningPercent ?? 1;
    const critical = settings.thresholds.criticalPercent ?? 5;
    const minRequests = settings.thresholds.minRequests ?? 10;
    return perMember(observation, (member) => {
      if (!member.reachable) return unreachable(member);
      const window = member.grpcRequests;
      if (!isKnown(window)) return { entity: member.entity, outcome: "unknown", reason: window.unknown };
      if (window.total < minRequests || window.total === 0) return { entity: member.entity, outcome: "ok" };
      const percent = (window.failed / window.total) * 100;
      if (percent <= warning) return { entity: member.entity, outcome: "ok" };
      const codes = Object.entries(window.failedByCode)
        .sort((a, b) => b[1] - a[1])
        .map(([code, count]) => `${code} ${count}`)
        .join(", ");
      return {
        entity: member.entity,
        outcome: "violated",
        ...(percent > critical ? { severity: "critical" as const } : {}),
        message: `etcd member ${describeMember(member)} failed ${percent.toFixed(1)} % of its gRPC requests in ${formatDuration(window.coveredMs)} (${window.failed} of ${window.total}: ${codes}; over ${percent > critical ? critical : warning} %)`,
        values: {
          failedPercent: percent,
          failed: window.failed,
          total: window.total,
          failedByCode: window.failedByCode,
          warningPercent: warning,
          criticalPercent: critical,
          windowMs: window.windowMs,
          coveredMs: window.coveredMs,
        },
      };
    });
  },
};
