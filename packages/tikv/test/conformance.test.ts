import { closedPort, testSubject } from "@operator/core/testing";
import { type PrometheusHarness, type SimCluster, startCluster, startPrometheus } from "@operator/tikv-sim";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type TikvObservation, tikvSubject } from "../src/index.ts";
import { buildHolds, buildQueries } from "../src/queries.ts";
import { requestsWhenAllHold } from "./helpers/observations.ts";

/** Core's conformance suite, run on a live subject: a simulated cluster scraped by a real Prometheus. */

let cluster: SimCluster;
let prometheus: PrometheusHarness;
let deadPort: number;

beforeAll(async () => {
  cluster = await startCluster({ stores: 3, timeScale: 1 });
  prometheus = await startPrometheus({ targets: cluster.scrapeTargets, scrapeIntervalMs: 1000 });
  await prometheus.waitForSamples({ timeoutMs: 60_000 });
  deadPort = await closedPort();
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
});

testSubject<TikvObservation>({
  name: "tikv",
  create: () =>
    tikvSubject({
      name: "conformance",
      pdUrl: cluster.pdUrl,
      prometheusUrl: prometheus.url,
      rateWindow: "10s",
    }),
  unreachable: () =>
    tikvSubject({
      name: "conformance",
      pdUrl: `http://127.0.0.1:${deadPort}`,
      prometheusUrl: `http://127.0.0.1:${deadPort}`,
      timeoutMs: 1000,
    }),
  additionalTests: ({ observation }) => {
    it("reads every store and every metric, with a constant number of requests", async () => {
      const observed = await observation();
      expect(observed.stores).toHaveLength(3);
      const windows = { rateWindow: "10s", leaderDropWindow: "30s" };
      const queries = buildQueries(windows);
      expect(Object.keys(observed.metrics).sort()).toEqual(Object.keys(queries).sort());
      expect(Object.keys(observed.pd?.metrics ?? {}).sort()).toEqual([
        "cpuQuota",
        "etcdDbQuota",
        "etcdPeerRttP99",
        "etcdWalFsyncP99",
        "memoryQuota",
        "tsoSaves",
        "tsoSystemTimeSlow",
      ]);
      // The batched comparisons in Prometheus and the samples of the other metric PromQL, PD's own
      // seven metric queries in one batched read, the scraped instances the comparisons are checked
      // against, and the samples of each comparison that found a store outside its bounds.
      const compared = Object.keys(buildHolds(windows));
      expect(compared.length).toBeGreaterThan(10);
      const readAfterComparing = compared.filter((key) => {
        const reading = observed.metrics[key];
        return !(reading && "held" in reading && reading.held);
      });
      expect(observed.requests.prometheus).toBe(
        requestsWhenAllHold(queries, buildHolds(windows)) + 1 + readAfterComparing.length,
      );
      expect(observed.requests.pd).toBe(8);
    });
  },
});
