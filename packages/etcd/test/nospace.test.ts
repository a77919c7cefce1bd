import type { EntityResult } from "@operator/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import etcd from "../src/index.ts";
import { startCluster, type TestCluster, waitFor } from "./helpers/etcd-cluster.ts";
import { b64, context, resultFor } from "./helpers/evaluate.ts";

const QUOTA = 4 * 1024 * 1024;
/** Churn: a few large revisions, well under the quota, that compaction then frees. */
const CHURN = "x".repeat(256 * 1024);
/**
 * Fill: etcd refuses a write once the backend plus that write would pass the quota, so small writes
 * fill it to above the critical 95 % before the first refusal.
 */
const FILL = "x".repeat(64 * 1024);

describe("etcd subject when the backend quota fills up (NOSPACE)", () => {
  let cluster: TestCluster;
  let endpoint: string;
  beforeAll(async () => {
    cluster = await startCluster({ size: 1, quotaBackendBytes: QUOTA });
    endpoint = cluster.endpoints[0] as string;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function post(
    path: string,
    body: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${endpoint}${path}`, { method: "POST", body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  /** A request that must succeed; a refusal fails the test with etcd's own answer. */
  async function ok(path: string, body: unknown): Promise<Record<string, unknown>> {
    const answer = await post(path, body);
    expect(answer, `${path} answered ${JSON.stringify(answer.json)}`).toMatchObject({ status: 200 });
    return answer.json;
  }

  it("opens db_fragmentation after churn and compaction; alarm_active, backend_quota (critical), db_growth and grpc_failed_requests when writes hit the quota; clears them after compaction, defragment and disarm", async () => {
    const subject = etcd({
      name: "tiny",
      endpoints: [endpoint],
      invariants: {
        db_growth: { thresholds: { minCoverageSeconds: 0 } },
        db_fragmentation: { thresholds: { minInUseBytes: 0 } },
      },
    });
    const before = await subject.observe(context());
    expect(resultFor(subject, before, "alarm_active", "n1")?.outcome).toBe("ok");
    expect(resultFor(subject, before, "backend_quota", "n1")?.outcome).toBe("ok");
    expect(resultFor(subject, before, "db_growth", "n1")?.outcome).toBe("unknown");

    for (let put = 0; put < 5; put++) {
      await ok("/v3/kv/put", { key: b64("churn"), value: b64(CHURN) });
    }
    const churned = (await post("/v3/kv/range", { key: b64("churn") })).json as {
      header: { revision: string };
    };
    const compaction = { revision: churned.header.revision, physical: true };
    await ok("/v3/kv/compaction", compaction);
    // bbolt counts the pages compaction freed as free only after the next write commits.
    await ok("/v3/kv/put", { key: b64("small"), value: b64("v") });
    let fragmented: EntityResult | undefined;
    await waitFor(
      async () => {
        fragmented = resultFor(subject, await subject.observe(context()), "db_fragmentation", "n1");
        return fragmented?.outcome === "violated";
      },
      10_000,
      () => JSON.stringify(fragmented),
    );
    expect(fragmented).toMatchObject({ message: expect.stringContaining("defragmenting frees") });

    let refused: { status: number; json: Record<string, unknown> } | undefined;
    for (let put = 0; put < 200 && !refused; put++) {
      const answer = await post("/v3/kv/put", { key: b64("big"), value: b64(FILL) });
      if (answer.status !== 200) refused = answer;
    }
    expect(refused?.status).toBe(429);
    expect(JSON.stringify(refused?.json)).toMatch(/database space exceeded/);
    for (let put = 0; put < 10; put++) {
      expect((await post("/v3/kv/put", { key: b64("big"), value: b64(FILL) })).status).toBe(429);
    }

    const full = await subject.observe(context());
    const alarm = resultFor(subject, full, "alarm_active", "n1");
    expect(alarm).toMatchObject({
      outcome: "violated",
      message: expect.stringContaining("NOSPACE"),
      values: { alarms: ["NOSPACE"], memberId: full.members[0]?.status?.memberId },
    });
    const quota = resultFor(subject, full, "backend_quota", "n1");
    expect(quota).toMatchObject({
      outcome: "violated",
      severity: "critical",
      values: { quotaBytes: QUOTA, limit: 0.8, criticalRatio: 0.95 },
    });
    expect(quota?.outcome === "violated" && quota.values.ratio).toBeGreaterThan(0.95);
    expect(resultFor(subject, full, "db_growth", "n1")).toMatchObject({
      outcome: "violated",
      message: expect.stringContaining("would pass its 4.0 MiB quota"),
      values: { quotaBytes: QUOTA },
    });
    const failed = resultFor(subject, full, "grpc_failed_requests", "n1");
    expect(failed).toMatchObject({
      outcome: "violated",
      severity: "critical",
      values: { failedByCode: { ResourceExhausted: expect.any(Number) } },
    });
    expect(failed?.outcome === "violated" && failed.values.failed).toBeGreaterThanOrEqual(11);
    expect(full.members[0]?.health?.healthy).toBe(false);
    expect(resultFor(subject, full, "member_unreachable", "n1")?.outcome).toBe("ok");

    const { header } = (await post("/v3/kv/range", { key: b64("big") })).json as {
      header: { revision: string };
    };
    await ok("/v3/kv/compaction", { revision: header.revision, physical: true });
    await ok("/v3/maintenance/defragment", {});
    const memberID = full.members[0]?.status?.memberId;
    const disarm = await post("/v3/maintenance/alarm", { action: "DEACTIVATE", memberID, alarm: "NOSPACE" });
    expect(disarm.status).toBe(200);

    const healed = await subject.observe(context());
    expect(resultFor(subject, healed, "alarm_active", "n1")?.outcome).toBe("ok");
    expect(resultFor(subject, healed, "backend_quota", "n1")?.outcome).toBe("ok");
    expect(resultFor(subject, healed, "db_fragmentation", "n1")?.outcome).toBe("ok");
    expect(healed.members[0]?.metrics?.dbTotalSizeBytes).toBeLessThan(QUOTA * 0.8);
    expect(healed.alarms).toEqual([]);
  }, 120_000);
});
