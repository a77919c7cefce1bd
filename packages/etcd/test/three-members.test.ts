import type { EntityResult } from "@operator/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import etcd, { type EtcdObservation } from "../src/index.ts";
import { startCluster, type TestCluster, waitFor } from "./helpers/etcd-cluster.ts";
import { b64, context, resultFor } from "./helpers/evaluate.ts";

describe("etcd subject against a real three-member cluster", () => {
  let cluster: TestCluster;
  let subject: ReturnType<typeof etcd>;

  beforeAll(async () => {
    cluster = await startCluster({ size: 3 });
    subject = etcd({ name: "trio", endpoints: [...cluster.endpoints], timeoutMs: 1000 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** Observes until `invariant` on `entity` has `outcome`; returns that result and its observation. */
  async function until(
    invariant: string,
    entity: string,
    outcome: EntityResult["outcome"],
    timeoutMs = 30_000,
  ) {
    let last: { result: EntityResult | undefined; observation: EtcdObservation } | undefined;
    await waitFor(
      async () => {
        const observation = await subject.observe(context(5000));
        last = { result: resultFor(subject, observation, invariant, entity), observation };
        return last.result?.outcome === outcome;
      },
      timeoutMs,
      () => `last ${invariant}/${entity}: ${JSON.stringify(last?.result)}`,
    );
    return last as { result: EntityResult; observation: EtcdObservation };
  }

  it("sees three reachable members and a leader", async () => {
    const observation = await subject.observe(context());
    expect(observation.members.map((member) => [member.entity, member.reachable])).toEqual([
      ["n1", true],
      ["n2", true],
      ["n3", true],
    ]);
    expect(resultFor(subject, observation, "no_leader", "cluster")?.outcome).toBe("ok");
    expect(resultFor(subject, observation, "insufficient_members", "cluster")?.outcome).toBe("ok");
    for (const name of ["n1", "n2", "n3"]) {
      expect(resultFor(subject, observation, "member_unreachable", name)?.outcome).toBe("ok");
      expect(resultFor(subject, observation, "member_no_leader", name)?.outcome).toBe("ok");
    }
  });

  it("measures the round trip to each peer and judges it ok on loopback", async () => {
    const watcher = etcd({ name: "trio", endpoints: [...cluster.endpoints], timeoutMs: 1000 });
    await watcher.observe(context());
    const ids = (await watcher.observe(context())).cluster;
    let observation: EtcdObservation | undefined;
    await waitFor(
      async () => {
        observation = await watcher.observe(context());
        return observation.members.every((member) => "peers" in member.peerLatency);
      },
      20_000,
      () => JSON.stringify(observation?.members.map((member) => member.peerLatency)),
    );
    const n1 = observation?.members[0];
    expect(n1?.peerLatency).toMatchObject({ source: "members", peers: expect.any(Array) });
    expect("members" in ids && ids.members.length).toBe(3);
    for (const name of ["n1", "n2", "n3"]) {
      expect(resultFor(watcher, observation as EtcdObservation, "peer_round_trip", name)?.outcome).toBe("ok");
    }
  }, 30_000);

  it("reports member_unreachable for a killed member, under its name, and ok again when it returns", async () => {
    await cluster.kill("n3");
    const { result, observation } = await until("member_unreachable", "n3", "violated");
    expect(result).toMatchObject({
      outcome: "violated",
      message: expect.stringContaining(`n3 (${cluster.endpoints[2]})`),
      values: {
        endpoint: cluster.endpoints[2],
        errors: expect.objectContaining({ status: expect.any(String) }),
      },
    });
    expect(resultFor(subject, observation, "member_unreachable", "n1")?.outcome).toBe("ok");
    expect(resultFor(subject, observation, "backend_quota", "n3")?.outcome).toBe("unknown");
    expect(resultFor(subject, observation, "wal_fsync_latency", "n3")?.outcome).toBe("unknown");
    // The alarm API goes through Raft: while the survivors elect a new leader it is unknown, then ok.
    await until("alarm_active", "n3", "ok");
    // The survivors' has_leader gauges can trail the election by a moment: wait until one reports it.
    const settled = await until("no_leader", "cluster", "ok");
    expect(resultFor(subject, settled.observation, "alarm_active", "n3")?.outcome).toBe("ok");
    expect(resultFor(subject, settled.observation, "member_unreachable", "n3")?.outcome).toBe("violated");

    await cluster.restart("n3");
    await until("member_unreachable", "n3", "ok");
  }, 90_000);

  it("reports leader_changes when leadership moves more than maxChanges times", async () => {
    await cluster.waitHealthy();
    const watcher = etcd({ name: "trio", endpoints: [...cluster.endpoints], timeoutMs: 1000 });
    const baseline = await watcher.observe(context());
    expect(resultFor(watcher, baseline, "leader_changes", "cluster")?.outcome).toBe("unknown");
    for (let transfer = 0; transfer < 4; transfer++) {
      const { members } = await watcher.observe(context());
      const leader = members.find((member) => member.metrics?.isLeader === 1);
      const target = members.find((member) => member !== leader && member.reachable)?.status?.memberId;
      const response = await fetch(`${leader?.endpoint}/v3/maintenance/transfer-leadership`, {
        method: "POST",
        body: JSON.stringify({ targetID: target }),
      });
      expect(response.status, await response.text()).toBe(200);
    }
    const observation = await watcher.observe(context());
    const result = resultFor(watcher, observation, "leader_changes", "cluster");
    expect(result).toMatchObject({ outcome: "violated", values: { maxChanges: 3, source: "members" } });
    expect(result?.outcome === "violated" && (result.values.changes as number)).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it("reports no_leader, insufficient_members, member_no_leader and failed proposals and requests when two of three are killed", async () => {
    await cluster.waitHealthy();
    const strict = etcd({
      name: "trio",
      endpoints: [...cluster.endpoints],
      timeoutMs: 1000,
      invariants: {
        proposals_failed: { thresholds: { maxFailures: 0 } },
        grpc_failed_requests: { thresholds: { minRequests: 1 } },
      },
    });
    await strict.observe(context());
    await cluster.kill("n2");
    await cluster.kill("n3");
    const { result, observation } = await until("no_leader", "cluster", "violated");
    expect(resultFor(subject, observation, "insufficient_members", "cluster")).toMatchObject({
      outcome: "violated",
      message: "etcd has lost its quorum: 1 of 3 voting members answer, 2 are needed (down: n2, n3)",
      values: { voters: 3, quorum: 2, up: ["n1"], down: ["n2", "n3"] },
    });
    expect(resultFor(subject, observation, "member_no_leader", "n1")).toMatchObject({
      outcome: "violated",
      message: expect.stringContaining("knows no leader (no reachable member does)"),
    });
    const writes = [1, 2, 3].map((index) =>
      fetch(`${cluster.endpoints[0]}/v3/kv/put`, {
        method: "POST",
        body: JSON.stringify({ key: b64(`lost-${index}`), value: b64("v") }),
        signal: AbortSignal.timeout(15_000),
      }).catch(() => undefined),
    );
    await Promise.all(writes);
    let failed: { proposals?: EntityResult | undefined; requests?: EntityResult | undefined } = {};
    await waitFor(
      async () => {
        const seen = await strict.observe(context(5000));
        failed = {
          proposals: resultFor(strict, seen, "proposals_failed", "n1"),
          requests: resultFor(strict, seen, "grpc_failed_requests", "n1"),
        };
        return failed.proposals?.outcome === "violated" && failed.requests?.outcome === "violated";
      },
      30_000,
      () => JSON.stringify(failed),
    );
    expect(failed.proposals).toMatchObject({ values: { maxFailures: 0 } });
    expect(failed.requests).toMatchObject({ values: { failed: expect.any(Number) } });
    expect(result).toMatchObject({
      outcome: "violated",
      values: { reachableMembers: 1, configuredMembers: 3, members: { n1: { hasLeader: 0 } } },
    });
    expect(observation.members[0]?.health?.healthy).toBe(false);
    expect(resultFor(subject, observation, "member_unreachable", "n2")?.outcome).toBe("violated");
    expect(resultFor(subject, observation, "member_unreachable", "n3")?.outcome).toBe("violated");

    await cluster.restart("n2");
    await cluster.restart("n3");
    await until("no_leader", "cluster", "ok");
    const healed = await until("member_unreachable", "n3", "ok");
    expect(resultFor(subject, healed.observation, "member_unreachable", "n2")?.outcome).toBe("ok");
  }, 120_000);
});
