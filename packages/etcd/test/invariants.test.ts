import type { Evaluation, Invariant } from "@operator/core";
import { describe, expect, it } from "vitest";
import {
  alarmActive,
  backendCommitLatency,
  backendQuota,
  type EtcdObservation,
  leaderChanges,
  memberUnreachable,
  noLeader,
  walFsyncLatency,
} from "../src/index.ts";
import { downMember, idOf, member, metrics, observation, status } from "./helpers/fixtures.ts";

function run(invariant: Invariant<EtcdObservation>, input: EtcdObservation): Evaluation {
  return invariant.evaluate(input, invariant.defaults);
}

function outcomes(evaluation: Evaluation): Record<string, string> | string {
  if (!Array.isArray(evaluation)) return `unknown: ${(evaluation as { unknown: string }).unknown}`;
  return Object.fromEntries(evaluation.map((result) => [result.entity, result.outcome]));
}

describe("member_unreachable", () => {
  it("is violated for a member that answered nothing, with its errors", () => {
    const evaluation = run(memberUnreachable, observation([member("n1"), downMember("n2")]));
    expect(outcomes(evaluation)).toEqual({ n1: "ok", n2: "violated" });
    expect(evaluation).toContainEqual(
      expect.objectContaining({
        entity: "n2",
        values: expect.objectContaining({ endpoint: "http://n2:2379" }),
      }),
    );
  });

  it("is unknown as a whole when members cannot be named (no member list)", () => {
    const input = observation([member("n1"), downMember("n2")], { cluster: { unknown: "timeout" } });
    expect(outcomes(run(memberUnreachable, input))).toMatch(/^unknown: cannot name members/);
  });
});

describe("no_leader", () => {
  it("is ok while any reachable member knows a leader", () => {
    const lost = member("n2", { metrics: metrics({ hasLeader: 0 }) });
    expect(outcomes(run(noLeader, observation([member("n1"), lost, downMember("n3")])))).toEqual({
      cluster: "ok",
    });
  });

  it("is violated when no reachable member knows one, from metrics or the status API", () => {
    const byMetric = member("n1", { metrics: metrics({ hasLeader: 0 }) });
    const byStatus = member("n2", {
      metrics: undefined,
      status: status("n2", { leader: undefined, errors: ["etcdserver: no leader"] }),
    });
    const evaluation = run(noLeader, observation([byMetric, byStatus, downMember("n3")]));
    expect(outcomes(evaluation)).toEqual({ cluster: "violated" });
    expect(evaluation).toContainEqual(
      expect.objectContaining({
        values: expect.objectContaining({ reachableMembers: 2, configuredMembers: 3 }),
      }),
    );
  });

  it("is unknown when no reachable member says anything about its leader", () => {
    const mute = member("n1", { metrics: undefined, status: undefined });
    expect(outcomes(run(noLeader, observation([mute, downMember("n2")])))).toEqual({ cluster: "unknown" });
  });
});

describe("leader_changes", () => {
  it("takes the largest increase any member saw, against maxChanges", () => {
    const busy = member("n2", {
      leaderChanges: { increase: 5, windowMs: 600_000, coveredMs: 300_000, source: "members" },
    });
    const evaluation = run(leaderChanges, observation([member("n1"), busy]));
    expect(outcomes(evaluation)).toEqual({ cluster: "violated" });
    expect(evaluation).toContainEqual(
      expect.objectContaining({
        values: expect.objectContaining({ changes: 5, maxChanges: 3, member: "n2" }),
      }),
    );
    const calm = leaderChanges.evaluate(observation([member("n1"), busy]), {
      ...leaderChanges.defaults,
      thresholds: { maxChanges: 5, windowSeconds: 600 },
    });
    expect(outcomes(calm)).toEqual({ cluster: "ok" });
  });

  it("is unknown when no member has a window yet", () => {
    const first = member("n1", { leaderChanges: { unknown: "first reading" } });
    expect(outcomes(run(leaderChanges, observation([first])))).toEqual({ cluster: "unknown" });
  });
});

describe("alarm_active", () => {
  it("names the alarmed member, is ok for the others, and reports alarms of unlisted members", () => {
    const input = observation([member("n1"), member("n2")], {
      alarms: [
        { memberId: idOf("n2"), alarm: "NOSPACE" },
        { memberId: "999", alarm: "CORRUPT" },
      ],
    });
    const evaluation = run(alarmActive, input);
    expect(outcomes(evaluation)).toEqual({ n1: "ok", n2: "violated", "999": "violated" });
    expect(evaluation).toContainEqual(
      expect.objectContaining({ entity: "n2", message: expect.stringContaining("NOSPACE") }),
    );
  });

  it("is unknown when no member answered the alarm API", () => {
    expect(outcomes(run(alarmActive, observation([member("n1")], { alarms: undefined })))).toMatch(
      /^unknown/,
    );
  });
});

describe("backend_quota", () => {
  it("compares the database size with the quota, per member; unreachable members are unknown", () => {
    const full = member("n2", { metrics: metrics({ dbTotalSizeBytes: 7 * 1024 * 1024 }) });
    const evaluation = run(backendQuota, observation([member("n1"), full, downMember("n3")]));
    expect(outcomes(evaluation)).toEqual({ n1: "ok", n2: "violated", n3: "unknown" });
    expect(evaluation).toContainEqual(
      expect.objectContaining({
        entity: "n2",
        values: expect.objectContaining({ ratio: 0.875, limit: 0.8 }),
      }),
    );
  });

  it("is unknown for a member whose quota metric is missing", () => {
    const blind = member("n1", { metrics: metrics({ quotaBackendBytes: undefined }) });
    expect(outcomes(run(backendQuota, observation([blind])))).toEqual({ n1: "unknown" });
  });
});

describe("wal_fsync_latency and backend_commit_latency", () => {
  it("are violated above their p99 thresholds, ok with no operations, unknown without a window", () => {
    const slow = member("n1", {
      walFsync: { p99Seconds: 0.8, operations: 40, windowMs: 30_000, source: "members" },
      backendCommit: { p99Seconds: 0.3, operations: 40, windowMs: 30_000, source: "members" },
    });
    const idle = member("n2", {
      walFsync: { p99Seconds: null, operations: 0, windowMs: 30_000, source: "members" },
      backendCommit: { p99Seconds: null, operations: 0, windowMs: 30_000, source: "members" },
    });
    const fresh = member("n3", {
      walFsync: { unknown: "first reading" },
      backendCommit: { unknown: "first reading" },
    });
    const input = observation([slow, idle, fresh]);
    expect(outcomes(run(walFsyncLatency, input))).toEqual({ n1: "violated", n2: "ok", n3: "unknown" });
    expect(outcomes(run(backendCommitLatency, input))).toEqual({ n1: "violated", n2: "ok", n3: "unknown" });
    expect(run(walFsyncLatency, input)).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining("800 ms (over 500 ms)") }),
    );
  });
});
