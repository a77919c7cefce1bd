import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PrometheusHarness, type SimCluster, startCluster, startPrometheus } from "../src/index.ts";

/** 1,000 stores on one listener, scraped by a real Prometheus every 5 s. */
const STORES = 1000;
let cluster: SimCluster;
let prometheus: PrometheusHarness;

beforeAll(async () => {
  cluster = await startCluster({ stores: STORES });
  prometheus = await startPrometheus({ targets: cluster.scrapeTargets, scrapeIntervalMs: 5000 });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
});

describe(`${STORES} simulated stores`, { timeout: 180_000 }, () => {
  it("are all scraped (count(up == 1) == 1000), each under its own instance", async () => {
    await prometheus.waitForSamples({ rate: false, timeoutMs: 170_000 });
    const [up] = await prometheus.query("count(up == 1)");
    expect(up?.value).toBe(STORES);
    const instances = await prometheus.query(
      'count(count by (instance) (tikv_raftstore_region_count{type="leader"}))',
    );
    expect(instances[0]?.value).toBe(STORES);
  });

  it("are all listed by PD, and one stopped store among them shows up == 0", async () => {
    const stores = (await (await fetch(`${cluster.pdUrl}/pd/api/v1/stores`)).json()) as { count: number };
    expect(stores.count).toBe(STORES);
    cluster.stopStore(777);
    await expect
      .poll(async () => (await prometheus.query('up{instance="tikv-777.sim:20180"}'))[0]?.value, {
        timeout: 60_000,
        interval: 1000,
      })
      .toBe(0);
    expect((await prometheus.query("count(up == 1)"))[0]?.value).toBe(STORES - 1);
  });
});
