import { afterAll, beforeAll, describe, expect, it } from "vitest";
import etcd, { type EtcdObservation } from "../src/index.ts";
import { freePort, startCluster, type TestCluster, waitFor } from "./helpers/etcd-cluster.ts";
import { context, putKeys, resultFor } from "./helpers/evaluate.ts";
import { startPrometheus, type TestPrometheus } from "./helpers/prometheus.ts";

describe("etcd subject with a real Prometheus", () => {
  let cluster: TestCluster;
  let prometheus: TestPrometheus;
  beforeAll(async () => {
    cluster = await startCluster({ size: 1 });
    prometheus = await startPrometheus(cluster.endpoints.map((endpoint) => new URL(endpoint).host));
  });
  afterAll(async () => {
    await prometheus?.stop();
    await cluster?.stop();
  });

  it("takes leader changes and latency percentiles from Prometheus once it has the series", async () => {
    await prometheus.waitForTargets();
    const subject = etcd({
      name: "watched",
      endpoints: [...cluster.endpoints],
      prometheusUrl: prometheus.url,
    });
    let observation: EtcdObservation | undefined;
    await waitFor(
      async () => {
        await putKeys(cluster.endpoints[0] as string, 5);
        observation = await subject.observe(context());
        const [member] = observation.members;
        return (
          member !== undefined &&
          "source" in member.leaderChanges &&
          member.leaderChanges.source === "prometheus" &&
          "source" in member.walFsync &&
          member.walFsync.source === "prometheus" &&
          "source" in member.backendCommit &&
          member.backendCommit.source === "prometheus"
        );
      },
      40_000,
      () => JSON.stringify(observation?.members[0]),
    );
    const seen = observation as EtcdObservation;
    expect(seen.prometheusError).toBeUndefined();
    expect(seen.members[0]?.leaderChanges).toMatchObject({ increase: expect.any(Number), windowMs: 600_000 });
    expect(seen.members[0]?.walFsync).toMatchObject({ p99Seconds: expect.any(Number), windowMs: 300_000 });
    expect(resultFor(subject, seen, "leader_changes", "cluster")?.outcome).toBe("ok");
    expect(resultFor(subject, seen, "wal_fsync_latency", "n1")?.outcome).toBe("ok");
  }, 90_000);

  it("falls back to the members' own metrics when Prometheus cannot be read", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const subject = etcd({ name: "watched", endpoints: [...cluster.endpoints], prometheusUrl: closed });
    await subject.observe(context());
    await putKeys(cluster.endpoints[0] as string, 5);
    const observation = await subject.observe(context());
    expect(observation.prometheusError).toMatch(/ECONNREFUSED/);
    expect(observation.members[0]?.walFsync).toMatchObject({ source: "members" });
    expect(observation.members[0]?.leaderChanges).toMatchObject({ source: "members" });
    expect(resultFor(subject, observation, "backend_commit_latency", "n1")?.outcome).toBe("ok");
  });
});
