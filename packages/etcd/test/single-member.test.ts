import { ObservationError } from "@operator/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import etcd from "../src/index.ts";
import { freePort, startCluster, type TestCluster } from "./helpers/etcd-cluster.ts";
import { context, evaluateAll, putKeys } from "./helpers/evaluate.ts";

describe("etcd subject against a real single-member etcd", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ size: 1 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("reads the member's health, metrics, status, alarms and member list", async () => {
    const subject = etcd({ name: "single", endpoints: [...cluster.endpoints] });
    const observation = await subject.observe(context());
    const [member] = observation.members;
    expect(member).toMatchObject({
      endpoint: cluster.endpoints[0],
      entity: "n1",
      reachable: true,
      errors: {},
    });
    expect(member?.health).toEqual({ healthy: true, status: 200 });
    expect(member?.status?.version).toBe("3.4.23");
    expect(member?.status?.leader).toBe(member?.status?.memberId);
    expect(member?.metrics?.hasLeader).toBe(1);
    expect(member?.metrics?.quotaBackendBytes).toBe(2 * 1024 ** 3);
    expect(member?.metrics?.walFsync?.buckets.at(-1)?.le).toBe(Number.POSITIVE_INFINITY);
    expect(observation.cluster).toMatchObject({
      members: [{ name: "n1", clientUrls: [cluster.endpoints[0]] }],
    });
    expect(observation.alarms).toEqual([]);
    expect(JSON.parse(JSON.stringify(observation))).toMatchObject({ members: [{ entity: "n1" }] });
  });

  it("finds every invariant it can judge ok once two observations give the cross-cycle values", async () => {
    const subject = etcd({ name: "single", endpoints: [...cluster.endpoints] });
    const first = evaluateAll(subject, await subject.observe(context()));
    expect(first.wal_fsync_latency).toEqual([
      { entity: "n1", outcome: "unknown", reason: expect.any(String) },
    ]);
    expect(first.leader_changes).toEqual([
      { entity: "cluster", outcome: "unknown", reason: expect.any(String) },
    ]);
    await putKeys(cluster.endpoints[0] as string, 20);
    const observation = await subject.observe(context());
    expect(observation.members[0]?.walFsync).toMatchObject({
      source: "members",
      operations: expect.any(Number),
    });
    const second = evaluateAll(subject, observation);
    const outcomes = Object.fromEntries(
      Object.entries(second).map(([name, results]) => [
        name,
        typeof results === "string" ? results : results.map((result) => `${result.entity}:${result.outcome}`),
      ]),
    );
    expect(outcomes).toEqual({
      member_unreachable: ["n1:ok"],
      insufficient_members: ["cluster:ok"],
      no_leader: ["cluster:ok"],
      member_no_leader: ["n1:ok"],
      leader_changes: ["cluster:ok"],
      alarm_active: ["n1:ok"],
      backend_quota: ["n1:ok"],
      db_growth: ["n1:unknown"],
      db_fragmentation: ["n1:ok"],
      wal_fsync_latency: ["n1:ok"],
      backend_commit_latency: ["n1:ok"],
      grpc_failed_requests: ["n1:ok"],
      grpc_latency: ["n1:unknown"],
      proposals_failed: ["n1:ok"],
      peer_round_trip: ["n1:unknown"],
    });
    const reason = (name: string) => {
      const results = second[name];
      return typeof results === "string" ? results : results?.[0]?.outcome === "unknown" && results[0].reason;
    };
    expect(reason("grpc_latency")).toMatch(/grpc_server_handling_seconds .*--metrics=extensive/);
    expect(reason("peer_round_trip")).toMatch(/single-member cluster has no peers/);
    expect(reason("db_growth")).toMatch(/the size trend covers .*; it needs 30m/);
    expect(observation.members[0]?.grpcRequests).toMatchObject({ failed: 0, source: "members" });
  });

  it("throws an ObservationError when no configured member answers", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const subject = etcd({ name: "nowhere", endpoints: [closed], timeoutMs: 1000 });
    const error = await subject.observe(context()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ObservationError);
    expect(error).toMatchObject({ reason: "unreachable", retryable: true });
    expect((error as Error).message).toMatch(/No member of "nowhere" answered/);
  });

  it("gives up with reason aborted when the cycle's signal is aborted", async () => {
    const subject = etcd({ name: "single", endpoints: [...cluster.endpoints] });
    const controller = new AbortController();
    controller.abort();
    const error = await subject
      .observe({ signal: controller.signal, deadline: Date.now() + 5000 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "ObservationError", reason: "aborted" });
  });
});

describe("etcd subject against a real etcd started with --metrics=extensive", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ size: 1, metrics: "extensive" });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("judges grpc_latency from the unary request histogram, against its threshold", async () => {
    const endpoint = cluster.endpoints[0] as string;
    const subject = etcd({ name: "single", endpoints: [endpoint] });
    const strict = etcd({
      name: "single",
      endpoints: [endpoint],
      invariants: { grpc_latency: { thresholds: { p99Seconds: 0.000_001 } } },
    });
    expect(evaluateAll(subject, await subject.observe(context())).grpc_latency).toEqual([
      { entity: "n1", outcome: "unknown", reason: expect.stringContaining("first reading") },
    ]);
    await strict.observe(context());
    await putKeys(endpoint, 20);
    const observation = await subject.observe(context());
    expect(observation.members[0]?.grpcLatency).toMatchObject({
      source: "members",
      operations: expect.any(Number),
      p99Seconds: expect.any(Number),
    });
    expect(evaluateAll(subject, observation).grpc_latency).toEqual([{ entity: "n1", outcome: "ok" }]);
    const slow = evaluateAll(strict, await strict.observe(context())).grpc_latency;
    expect(slow).toEqual([
      expect.objectContaining({
        entity: "n1",
        outcome: "violated",
        message: expect.stringMatching(
          /^etcd member n1 \(http:\/\/127\.0\.0\.1:\d+\) gRPC request p99 is \d+ ms/,
        ),
        values: expect.objectContaining({ limitSeconds: 0.000_001, source: "members" }),
      }),
    ]);
  });
});
