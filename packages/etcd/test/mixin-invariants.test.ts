import type { EntityResult, Evaluation, Invariant } from "@operator/core";
import { describe, expect, it } from "vitest";
import { parseExposition } from "../src/exposition.ts";
import { histogramsBy } from "../src/histogram.ts";
import { MemberHistory } from "../src/history.ts";
import {
  backendQuota,
  dbFragmentation,
  dbGrowth,
  type EtcdObservation,
  grpcFailedRequests,
  grpcLatency,
  insufficientMembers,
  memberNoLeader,
  noLeader,
  peerRoundTrip,
  proposalsFailed,
  walFsyncLatency,
} from "../src/index.ts";
import { parseMemberMetrics } from "../src/member-metrics.ts";
import { downMember, idOf, listed, member, metrics, observation, status } from "./helpers/fixtures.ts";

const MIB = 1024 * 1024;

function run(
  invariant: Invariant<EtcdObservation>,
  input: EtcdObservation,
  thresholds: Record<string, number> = {},
): Evaluation {
  return invariant.evaluate(input, {
    ...invariant.defaults,
    thresholds: { ...invariant.defaults.thresholds, ...thresholds },
  });
}

function results(evaluation: Evaluation): Record<string, EntityResult> {
  if (!Array.isArray(evaluation)) throw new Error(`unknown: ${(evaluation as { unknown: string }).unknown}`);
  return Object.fromEntries(evaluation.map((result) => [result.entity, result]));
}

function outcomes(evaluation: Evaluation): Record<string, string> {
  return Object.fromEntries(Object.entries(results(evaluation)).map(([entity, r]) => [entity, r.outcome]));
}

describe("insufficient_members (etcdInsufficientMembers)", () => {
  it("is ok with a majority up, violated below it, naming who is down", () => {
    const three = [member("n1"), member("n2"), downMember("n3")];
    expect(outcomes(run(insufficientMembers, observation(three)))).toEqual({ cluster: "ok" });
    const lost = observation([member("n1"), downMember("n2"), downMember("n3")]);
    const result = results(run(insufficientMembers, lost)).cluster;
    expect(result).toMatchObject({
      outcome: "violated",
      message: "etcd has lost its quorum: 1 of 3 voting members answer, 2 are needed (down: n2, n3)",
      values: { voters: 3, quorum: 2, up: ["n1"], down: ["n2", "n3"], unwatched: [] },
    });
  });

  it("does not count learners, and is unknown while unconfigured members could make the quorum", () => {
    const withLearner = observation([member("n1"), downMember("n2")], {
      cluster: { members: [listed("n1"), listed("n2"), { ...listed("n3"), isLearner: true }], cached: false },
    });
    expect(results(run(insufficientMembers, withLearner)).cluster).toMatchObject({
      outcome: "violated",
      values: { voters: 2, quorum: 2 },
    });
    const partial = observation([member("n1"), downMember("n2")], {
      cluster: { members: ["n1", "n2", "n3"].map(listed), cached: false },
    });
    expect(results(run(insufficientMembers, partial)).cluster).toMatchObject({
      outcome: "unknown",
      reason: expect.stringContaining("1 (n3) are not configured"),
    });
  });

  it("is unknown as a whole without a member list", () => {
    const input = observation([member("n1")], { cluster: { unknown: "timeout" } });
    expect(run(insufficientMembers, input)).toEqual({ unknown: "cannot count members: timeout" });
  });
});

describe("member_no_leader (etcdNoLeader, per member)", () => {
  it("sees a member cut off from a majority that has a leader, which no_leader does not", () => {
    const cut = member("n3", {
      metrics: undefined,
      status: status("n3", { leader: undefined, errors: ["etcdserver: no leader"] }),
    });
    const input = observation([member("n1"), member("n2"), cut]);
    expect(outcomes(run(noLeader, input))).toEqual({ cluster: "ok" });
    const evaluation = results(run(memberNoLeader, input));
    expect(outcomes(run(memberNoLeader, input))).toEqual({ n1: "ok", n2: "ok", n3: "violated" });
    expect(evaluation.n3).toMatchObject({
      message:
        "etcd member n3 (http://n3:2379) knows no leader while n1, n2 follow one: it is cut off from the majority",
      values: { hasLeader: null, statusErrors: ["etcdserver: no leader"], membersWithLeader: ["n1", "n2"] },
    });
  });

  it("is unknown for an unreachable member or one that says nothing about its leader", () => {
    const mute = member("n2", { metrics: metrics({ hasLeader: undefined }), status: undefined });
    const input = observation([member("n1", { metrics: metrics({ hasLeader: 0 }) }), mute, downMember("n3")]);
    expect(outcomes(run(memberNoLeader, input))).toEqual({ n1: "violated", n2: "unknown", n3: "unknown" });
    expect(results(run(memberNoLeader, input)).n1).toMatchObject({
      message: expect.stringContaining("no reachable member does"),
    });
  });
});

describe("grpc_failed_requests (etcdHighNumberOfFailedGRPCRequests, both tiers)", () => {
  const window = (failed: number, total: number, failedByCode: Record<string, number> = {}) => ({
    grpcRequests: {
      total,
      failed,
      failedByCode,
      windowMs: 300_000,
      coveredMs: 300_000,
      source: "members" as const,
    },
  });

  it("warns above 1 %, turns critical above 5 %, is ok below or on too few requests", () => {
    const input = observation([
      member("n1", window(1, 1000)),
      member("n2", window(30, 1000, { Unavailable: 20, DeadlineExceeded: 10 })),
      member("n3", window(80, 1000, { ResourceExhausted: 80 })),
      member("n4", window(3, 5, { Unavailable: 3 })),
      member("n5", { grpcRequests: { unknown: "first reading of grpc_server_handled_total" } }),
    ]);
    const evaluation = results(run(grpcFailedRequests, input));
    expect(outcomes(run(grpcFailedRequests, input))).toEqual({
      n1: "ok",
      n2: "violated",
      n3: "violated",
      n4: "ok",
      n5: "unknown",
    });
    expect(evaluation.n2).toMatchObject({
      message:
        "etcd member n2 (http://n2:2379) failed 3.0 % of its gRPC requests in 5m (30 of 1000: Unavailable 20, DeadlineExceeded 10; over 1 %)",
      values: { failedPercent: 3, failedByCode: { Unavailable: 20, DeadlineExceeded: 10 } },
    });
    expect(evaluation.n2).not.toHaveProperty("severity");
    expect(evaluation.n3).toMatchObject({
      severity: "critical",
      message: expect.stringContaining("over 5 %"),
    });
  });

  it("takes its thresholds from the settings", () => {
    const input = observation([member("n1", window(30, 1000))]);
    expect(outcomes(run(grpcFailedRequests, input, { warningPercent: 5 }))).toEqual({ n1: "ok" });
    expect(results(run(grpcFailedRequests, input, { criticalPercent: 2 })).n1).toMatchObject({
      severity: "critical",
    });
  });
});

describe("proposals_failed (etcdHighNumberOfFailedProposals)", () => {
  it("is violated past maxFailures in the window, ok at it, unknown on the first reading", () => {
    const counted = (increase: number) => ({
      proposalsFailed: { increase, windowMs: 900_000, coveredMs: 600_000, source: "members" as const },
    });
    const input = observation([
      member("n1", counted(5)),
      member("n2", counted(12)),
      member("n3", { proposalsFailed: { unknown: "first reading" } }),
    ]);
    expect(outcomes(run(proposalsFailed, input))).toEqual({ n1: "ok", n2: "violated", n3: "unknown" });
    expect(results(run(proposalsFailed, input)).n2).toMatchObject({
      message: "etcd member n2 (http://n2:2379) had 12 failed proposals in 10m (more than 5 per 15m)",
      values: { failed: 12, maxFailures: 5 },
    });
    expect(outcomes(run(proposalsFailed, input, { maxFailures: 20 }))).toMatchObject({ n2: "ok" });
  });
});

describe("grpc_latency (etcdGRPCRequestsSlow) and the critical tier of wal_fsync_latency", () => {
  it("grpc_latency is critical above 150 ms and unknown without --metrics=extensive", () => {
    const slow = member("n1", {
      grpcLatency: { p99Seconds: 0.4, operations: 100, windowMs: 30_000, source: "members" },
    });
    const basic = member("n2", { grpcLatency: { unknown: "grpc_server_handling_seconds is missing" } });
    const input = observation([slow, basic, member("n3")]);
    expect(grpcLatency.defaults.severity).toBe("critical");
    expect(outcomes(run(grpcLatency, input))).toEqual({ n1: "violated", n2: "unknown", n3: "ok" });
    expect(results(run(grpcLatency, input)).n1).toMatchObject({
      message: "etcd member n1 (http://n1:2379) gRPC request p99 is 400 ms (over 150 ms)",
    });
  });

  it("wal_fsync_latency warns above 500 ms and is critical above 1 s", () => {
    const fsync = (p99Seconds: number) => ({
      walFsync: { p99Seconds, operations: 40, windowMs: 30_000, source: "members" as const },
    });
    const evaluation = results(
      run(walFsyncLatency, observation([member("n1", fsync(0.7)), member("n2", fsync(1.5))])),
    );
    expect(evaluation.n1).toMatchObject({ outcome: "violated" });
    expect(evaluation.n1).not.toHaveProperty("severity");
    expect(evaluation.n2).toMatchObject({
      severity: "critical",
      message: expect.stringContaining("(over 1000 ms)"),
    });
  });
});

describe("peer_round_trip (etcdMemberCommunicationSlow)", () => {
  it("names the slowest peer by its member name (the To label is a hex id)", () => {
    const hex = (name: string) => BigInt(idOf(name)).toString(16);
    const slow = member("n1", {
      peerLatency: {
        peers: [
          { peer: hex("n3"), p99Seconds: 0.5 },
          { peer: hex("n2"), p99Seconds: 0.2 },
        ],
        windowMs: 30_000,
        source: "members",
      },
    });
    const input = observation([slow, member("n2"), member("n3", { peerLatency: { unknown: "no peers" } })]);
    expect(outcomes(run(peerRoundTrip, input))).toEqual({ n1: "violated", n2: "ok", n3: "unknown" });
    expect(results(run(peerRoundTrip, input)).n1).toMatchObject({
      message:
        "etcd member n1 (http://n1:2379) round trip to n3 has a p99 of 500 ms (over 150 ms); 1 more peer(s) slow",
      values: { slowest: "n3", p99Seconds: 0.5 },
    });
  });
});

describe("backend_quota's critical tier (etcdDatabaseQuotaLowSpace)", () => {
  it("warns above 80 % and turns the same key critical above 95 %", () => {
    const used = (ratio: number) => ({ metrics: metrics({ dbTotalSizeBytes: ratio * 8 * MIB }) });
    const evaluation = results(
      run(
        backendQuota,
        observation([member("n1", used(0.5)), member("n2", used(0.9)), member("n3", used(0.97))]),
      ),
    );
    expect(evaluation.n1?.outcome).toBe("ok");
    expect(evaluation.n2).toMatchObject({ outcome: "violated" });
    expect(evaluation.n2).not.toHaveProperty("severity");
    expect(evaluation.n3).toMatchObject({
      outcome: "violated",
      severity: "critical",
      message: expect.stringContaining("(97 %, over 95 %): writes stop at 100 %"),
      values: { criticalRatio: 0.95 },
    });
  });
});

describe("db_fragmentation (etcdDatabaseHighFragmentationRatio)", () => {
  it("is violated under 50 % in use only when more than 100 MiB are in use", () => {
    const db = (total: number, inUse: number) => ({
      metrics: metrics({ dbTotalSizeBytes: total * MIB, dbInUseBytes: inUse * MIB }),
    });
    const input = observation([
      member("n1", db(1000, 300)),
      member("n2", db(180, 60)),
      member("n3", db(400, 300)),
    ]);
    expect(outcomes(run(dbFragmentation, input))).toEqual({ n1: "violated", n2: "ok", n3: "ok" });
    expect(results(run(dbFragmentation, input)).n1).toMatchObject({
      message:
        "etcd member n1 (http://n1:2379) uses 30 % of its 1000.0 MiB backend file (under 50 %): defragmenting frees 700.0 MiB",
    });
    expect(outcomes(run(dbFragmentation, input, { minInUseBytes: 0 }))).toMatchObject({ n2: "violated" });
  });

  it("falls back on the status API's sizes and is unknown without either", () => {
    const fromStatus = member("n1", {
      metrics: undefined,
      status: status("n1", { dbSizeBytes: 1000 * MIB, dbSizeInUseBytes: 200 * MIB }),
    });
    const blind = member("n2", { metrics: metrics({ dbInUseBytes: undefined }), status: undefined });
    expect(outcomes(run(dbFragmentation, observation([fromStatus, blind])))).toEqual({
      n1: "violated",
      n2: "unknown",
    });
  });
});

describe("db_growth (etcdExcessiveDatabaseGrowth)", () => {
  it("predicts from the member's own samples and is violated when the line passes the quota", () => {
    const history = new MemberHistory();
    const hour = 3_600_000;
    let trend = history.trend("db", 0, 2 * MIB, 4 * hour, 4 * hour);
    expect(trend).toEqual({ unknown: expect.stringContaining("first reading") });
    for (let minute = 10; minute <= 60; minute += 10) {
      trend = history.trend("db", minute * 60_000, 2 * MIB + minute * 20_000, 4 * hour, 4 * hour);
    }
    if ("unknown" in trend) throw new Error(trend.unknown);
    expect(trend.bytesPerHour).toBeCloseTo(1_200_000, 0);
    expect(trend.predicted).toBeCloseTo(2 * MIB + 1_200_000 * 5, 0);
    expect(trend.coveredMs).toBe(hour);

    const growing = member("n1", { dbGrowth: { ...trend, source: "members" } });
    const input = observation([growing], {
      members: [{ ...growing, metrics: metrics({ quotaBackendBytes: 6 * MIB }) }],
    });
    expect(results(run(dbGrowth, input)).n1).toMatchObject({
      outcome: "violated",
      message: expect.stringMatching(
        /grows 1\.1 MiB\/h and would pass its 6\.0 MiB quota within 240m \(now 1\.0 MiB\)$/,
      ),
      values: { quotaBytes: 6 * MIB, bytesPerHour: 1_200_000 },
    });
    expect(outcomes(run(dbGrowth, observation([growing])))).toEqual({ n1: "ok" });
    expect(results(run(dbGrowth, input, { minCoverageSeconds: 7200 })).n1).toMatchObject({
      outcome: "unknown",
      reason: "the size trend covers 60m; it needs 120m",
    });
  });

  it("forgets samples older than the window", () => {
    const history = new MemberHistory();
    history.trend("db", 0, 100 * MIB, 600_000, 600_000);
    history.trend("db", 300_000, 1 * MIB, 600_000, 600_000);
    history.trend("db", 900_000, 1 * MIB, 600_000, 600_000);
    const trend = history.trend("db", 1_000_000, 1 * MIB, 600_000, 600_000);
    expect(trend).toMatchObject({ bytesPerHour: 0, predicted: 1 * MIB, coveredMs: 100_000 });
  });
});

describe("reading the mixin's series from /metrics", () => {
  const text = [
    'grpc_server_handled_total{grpc_code="OK",grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"} 90',
    'grpc_server_handled_total{grpc_code="ResourceExhausted",grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"} 7',
    'grpc_server_handled_total{grpc_code="NotFound",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 3',
    'grpc_server_handled_total{grpc_code="Unavailable",grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"} 50',
    'grpc_server_handling_seconds_bucket{grpc_method="Put",grpc_type="unary",le="0.1"} 5',
    'grpc_server_handling_seconds_bucket{grpc_method="Put",grpc_type="unary",le="+Inf"} 6',
    'grpc_server_handling_seconds_bucket{grpc_method="Range",grpc_type="unary",le="0.1"} 4',
    'grpc_server_handling_seconds_bucket{grpc_method="Range",grpc_type="unary",le="+Inf"} 4',
    'grpc_server_handling_seconds_bucket{grpc_method="Defragment",grpc_type="unary",le="0.1"} 0',
    'grpc_server_handling_seconds_bucket{grpc_method="Defragment",grpc_type="unary",le="+Inf"} 9',
    'etcd_network_peer_round_trip_time_seconds_bucket{To="a1",le="0.1"} 3',
    'etcd_network_peer_round_trip_time_seconds_bucket{To="a1",le="+Inf"} 4',
    'etcd_network_peer_round_trip_time_seconds_bucket{To="b2",le="0.1"} 2',
    'etcd_network_peer_round_trip_time_seconds_bucket{To="b2",le="+Inf"} 2',
    "",
  ].join("\n");

  it("counts unary requests and the failing codes only, sums latency without Defragment, splits peers", async () => {
    const parsed = await parseMemberMetrics(text);
    expect(parsed.grpcHandled).toEqual({ total: 100, failed: 7, failedByCode: { ResourceExhausted: 7 } });
    expect(parsed.grpcHandling?.buckets).toEqual([
      { le: 0.1, count: 9 },
      { le: Number.POSITIVE_INFINITY, count: 10 },
    ]);
    expect([...(parsed.peerRoundTrip?.keys() ?? [])].sort()).toEqual(["a1", "b2"]);
    expect(parsed.peerRoundTrip?.get("a1")?.count).toBe(4);
  });

  it("histogramsBy leaves out groups without a +Inf bucket", () => {
    const exposition = parseExposition(
      'h_bucket{g="x",le="1"} 1\nh_bucket{g="y",le="1"} 1\nh_bucket{g="y",le="+Inf"} 2\n',
    );
    expect([...histogramsBy(exposition, "h", (labels) => labels.g).keys()]).toEqual(["y"]);
  });
});
