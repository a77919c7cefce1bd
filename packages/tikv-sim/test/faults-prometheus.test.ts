import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type PrometheusHarness, type SimCluster, startCluster, startPrometheus } from "../src/index.ts";
import { parseBytesSize } from "../src/pd/go-format.ts";

/**
 * Every metric fault, observed the way a monitor would: PromQL against a real Prometheus scraping
 * the simulated stores every second. Each fault uses its own store so the cases run concurrently.
 */
let cluster: SimCluster;
let prometheus: PrometheusHarness;
let rulesDir: string;

/** Two official alerting rules (tikv-pd.md 3.1-3.2), with `for` shortened so they fire in a test. */
const RULES = `groups:
  - name: official
    rules:
      - alert: PD_cluster_lost_connect_store_nums
        expr: (sum(pd_cluster_status{type="store_disconnected_count"}) by (instance) > 0) and (sum(etcd_server_is_leader) by (instance) > 0)
        for: 1s
      - alert: TiKV_low_space
        expr: sum(tikv_store_size_bytes{type="available"}) by (instance) / sum(tikv_store_size_bytes{type="capacity"}) by (instance) < 0.2
        for: 1s
`;

async function firing(alertname: string): Promise<string[]> {
  const body = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as {
    data: { alerts: { labels: Record<string, string>; state: string }[] };
  };
  return body.data.alerts
    .filter((a) => a.labels.alertname === alertname && a.state === "firing")
    .map((a) => a.labels.instance ?? "");
}
const POLL = { timeout: 45_000, interval: 500 } as const;

const instance = (id: number): string => `tikv-${id}.sim:20180`;

async function value(promql: string): Promise<number | null> {
  const samples = await prometheus.query(promql);
  return samples.length === 1 ? (samples[0]?.value ?? null) : null;
}

async function pdStore(
  id: number,
): Promise<{ store: Record<string, unknown>; status: Record<string, unknown> }> {
  return (await fetch(`${cluster.pdUrl}/pd/api/v1/store/${id}`)).json() as Promise<never>;
}

beforeAll(async () => {
  cluster = await startCluster({ stores: 6, timeScale: 20, seed: 7 });
  rulesDir = mkdtempSync(join(tmpdir(), "tikv-sim-rules-"));
  writeFileSync(join(rulesDir, "rules.yml"), RULES);
  prometheus = await startPrometheus({
    targets: cluster.scrapeTargets,
    pdTargets: [cluster.pdScrapeTarget],
    ruleFiles: [join(rulesDir, "rules.yml")],
    scrapeIntervalMs: 1000,
  });
  await prometheus.waitForSamples();
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
  if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
});

describe("scrape layout", () => {
  it("scrapes every store with instance = PD's status_address and job tikv", async ({ expect }) => {
    const up = await prometheus.query('up{job="tikv"} == 1');
    expect(up.map((s) => s.metric.instance).sort()).toEqual(
      cluster.stores.map((s) => s.statusAddress).sort(),
    );
    expect(new Set(up.map((s) => s.metric.job))).toEqual(new Set(["tikv"]));
    const perType = await prometheus.query(
      'count(tikv_grpc_msg_duration_seconds_count{instance="tikv-1.sim:20180"}) by (type)',
    );
    expect(perType.map((s) => s.metric.type)).toContain("kv_gc");
  });

  it("gives every store a normal p99 before any fault", async ({ expect }) => {
    const p99 = await prometheus.query(
      'histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{type!="kv_gc"}[30s])) by (le, instance))',
    );
    expect(p99).toHaveLength(6);
    for (const s of p99) expect(s.value).toBeLessThan(0.05);
  });
});

describe.concurrent("faults seen through PromQL", { timeout: 90_000 }, () => {
  it("slow store: histogram_quantile(0.99) over rate() lands on the requested p99", async ({ expect }) => {
    cluster.slowStore(1, 0.5);
    const q = `histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{type!="kv_gc",instance="${instance(1)}"}[10s])) by (le))`;
    await expect.poll(() => value(q), POLL).toBeCloseTo(0.5, 2);
    const byType = await prometheus.query(
      `histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{instance="${instance(1)}",type=~"kv_get|kv_commit"}[10s])) by (le, type))`,
    );
    expect(byType).toHaveLength(2);
    for (const s of byType) expect(s.value).toBeCloseTo(0.5, 2);
    // PD's slow score follows TiKV's disk and Raft I/O inspection, not gRPC latency (`slow-score` sets it).
    expect((await pdStore(1)).status.slow_score).toBe(1);
    cluster.slowStore(1, null);
    await expect.poll(() => value(q), POLL).toBeLessThan(0.05);
  });

  it("raftstore CPU: rate of the raftstore thread gauges equals the requested cores", async ({ expect }) => {
    cluster.raftstoreCpu(2, 1.8);
    const q = `sum(rate(tikv_thread_cpu_seconds_total{name=~"(raftstore|rs)_.*",instance="${instance(2)}"}[10s])) by (instance)`;
    await expect.poll(() => value(q), POLL).toBeCloseTo(1.8, 1);
    const process = await value(`rate(process_cpu_seconds_total{instance="${instance(2)}"}[10s])`);
    expect(process).toBeGreaterThan(1.8);
    cluster.raftstoreCpu(2, null);
    await expect.poll(() => value(q), POLL).toBeLessThan(0.5);
  });

  it("full disk: available/capacity drops, and PD's strings agree", async ({ expect }) => {
    cluster.fillDisk(3, 0.95);
    const q = `tikv_store_size_bytes{type="available",instance="${instance(3)}"} / ignoring(type) tikv_store_size_bytes{type="capacity",instance="${instance(3)}"}`;
    await expect.poll(() => value(q), POLL).toBeCloseTo(0.05, 3);
    const { status } = await pdStore(3);
    const capacity = await value(`tikv_store_size_bytes{type="capacity",instance="${instance(3)}"}`);
    const available = parseBytesSize(status.available as string);
    expect(Math.abs(available / (capacity as number) - 0.05)).toBeLessThan(0.001);
    const low = await prometheus.query(
      'sum(tikv_store_size_bytes{type="available"}) by (instance) / sum(tikv_store_size_bytes{type="capacity"}) by (instance) < 0.2',
    );
    expect(low.map((s) => s.metric.instance)).toEqual([instance(3)]);
    await expect.poll(() => firing("TiKV_low_space"), POLL).toEqual([instance(3)]);
    await expect.poll(() => value('pd_cluster_status{type="store_low_space_count",store="3"}'), POLL).toBe(1);
  });

  it("leader drop: the store's leader gauge goes to 0 and the leaders move elsewhere", async ({ expect }) => {
    const total = await value('sum(tikv_raftstore_region_count{type="leader"})');
    cluster.leaderDrop(4);
    await expect
      .poll(() => value(`tikv_raftstore_region_count{type="leader",instance="${instance(4)}"}`), POLL)
      .toBe(0);
    await expect.poll(() => value('sum(tikv_raftstore_region_count{type="leader"})'), POLL).toBe(total);
    expect((await pdStore(4)).status.leader_count).toBe(0);
    cluster.balanceLeaders();
    await expect
      .poll(() => value(`tikv_raftstore_region_count{type="leader",instance="${instance(4)}"}`), POLL)
      .toBeGreaterThan(0);
  });

  it("write stall: the stall gauges grow (delta > 0) and L0 average passes 80", async ({ expect }) => {
    cluster.writeStall(5, true);
    await expect
      .poll(
        () =>
          value(
            `delta(tikv_engine_write_stall{db="kv",type="write_stall_max",instance="${instance(5)}"}[10s])`,
          ),
        POLL,
      )
      .toBeGreaterThan(0);
    expect(
      await value(`max(tikv_scheduler_l0_avg{instance="${instance(5)}"}) by (instance)`),
    ).toBeGreaterThan(80);
    const stalled = await prometheus.query("tikv_engine_write_stall > 0");
    expect(new Set(stalled.map((s) => s.metric.instance))).toEqual(new Set([instance(5)]));
    cluster.writeStall(5, false);
    await expect
      .poll(() => value(`max(tikv_scheduler_l0_avg{instance="${instance(5)}"}) by (instance)`), POLL)
      .toBeLessThan(80);
  });
});

describe("PD's own metrics", () => {
  it("counts region faults in pd_regions_status with PD's hyphenated types", async ({ expect }) => {
    cluster.setRegionFault("down-peer", 2, 3);
    try {
      await expect.poll(() => value('pd_regions_status{type="down-peer-region-count"}'), POLL).toBe(3);
      expect(await value('pd_regions_status{type="miss-peer-region-count"}')).toBe(0);
    } finally {
      cluster.setRegionFault("down-peer", 2, 0);
    }
  });
});

describe("PD faults seen by Prometheus", { timeout: 90_000 }, () => {
  it("a PD that is down fails its scrape (up == 0) and recovers", async ({ expect }) => {
    await cluster.apply({ fault: "pd", mode: "down" });
    try {
      await expect.poll(() => value('up{job="pd"}'), POLL).toBe(0);
    } finally {
      await cluster.apply({ fault: "pd", mode: null });
    }
    await expect.poll(() => value('up{job="pd"}'), POLL).toBe(1);
  });
});

describe("process faults", { timeout: 90_000 }, () => {
  it("stopped store: up == 0 in Prometheus and Disconnected in PD; a restart resets start time", async ({
    expect,
  }) => {
    const startBefore = await value(`process_start_time_seconds{instance="${instance(6)}"}`);
    cluster.stopStore(6);
    await expect.poll(() => value(`up{instance="${instance(6)}"}`), POLL).toBe(0);
    await expect.poll(async () => (await pdStore(6)).store.state_name, POLL).toBe("Disconnected");
    await expect
      .poll(() => value('pd_cluster_status{type="store_disconnected_count",store="6"}'), POLL)
      .toBe(1);
    await expect.poll(() => firing("PD_cluster_lost_connect_store_nums"), POLL).toEqual(["pd-1.sim:2379"]);
    const targets = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: { labels: { instance: string }; health: string }[] };
    };
    const target = targets.data.activeTargets.find((t) => t.labels.instance === instance(6));
    expect(target?.health).toBe("down");
    cluster.startStore(6);
    await expect.poll(() => value(`up{instance="${instance(6)}"}`), POLL).toBe(1);
    expect((await pdStore(6)).store.state_name).toBe("Up");
    const startAfter = await value(`process_start_time_seconds{instance="${instance(6)}"}`);
    expect(startAfter).toBeGreaterThan(startBefore as number);
  });

  it("flapping store: up alternates and the process restarts", async ({ expect }) => {
    const from = Date.now() / 1000;
    cluster.flapStore(6, 3_000);
    try {
      const at = from + 10;
      const changes = async (metric: string): Promise<number | undefined> =>
        (await prometheus.query(`changes(${metric}{instance="${instance(6)}"}[9s])`, { time: at }))[0]?.value;
      await expect.poll(() => Date.now() / 1000 > at + 1.5, POLL).toBe(true);
      expect(await changes("up")).toBeGreaterThanOrEqual(3);
      expect(await changes("process_start_time_seconds")).toBeGreaterThan(0);
    } finally {
      cluster.flapStore(6, null);
    }
    await expect.poll(() => value(`up{instance="${instance(6)}"}`), POLL).toBe(1);
  });
});
