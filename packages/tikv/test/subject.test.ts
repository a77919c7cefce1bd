import { ConfigError, isUnknownEvaluation, ObservationError, type ObserveContext } from "@operator/core";
import { closedPort } from "@operator/core/testing";
import { startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUERY_LABEL } from "../src/batched-reads.ts";
import tikvSubjectDefault, {
  type RequestEvent,
  SUBJECT_KIND,
  type TikvObservation,
  tikvSubject,
} from "../src/index.ts";
import { METRIC_INVARIANTS } from "../src/invariants/index.ts";
import { buildHolds, buildQueries } from "../src/queries.ts";
import { compact, fixture } from "./helpers/fixtures.ts";
import { requestsWhenAllHold } from "./helpers/observations.ts";

const API = "/pd/api/v1";
/** Every query of the built-in metric invariants, and how many distinct ones a cycle runs. */
const ALL_QUERIES = buildQueries({ rateWindow: "1m", leaderDropWindow: "30s" });
/** PD's own metric queries (WAL fsync, peer round trip, TSO saves, clock, quotas): one batched read. */
const PD_QUERIES = 1;
/**
 * A cycle's requests to Prometheus: the batched comparisons, the disk sizes read because store 2 is
 * outside its bounds, the listing of scraped stores, and PD's own metric queries.
 */
const REQUESTS =
  requestsWhenAllHold(ALL_QUERIES, buildHolds({ rateWindow: "1m", leaderDropWindow: "30s" })) +
  1 +
  PD_QUERIES;
let pd: TestServer;
let prom: TestServer;

/** A PD `/stores` body with `count` Up stores tikv-1..tikv-N, in PD's indented form. */
function storesBody(count: number): string {
  const template = JSON.parse(
    fixture("stores.json").replace(/"last_heartbeat": (\d+)/g, '"last_heartbeat": "$1"'),
  ) as {
    stores: Array<{ store: Record<string, unknown> }>;
  };
  const base = template.stores[0] as { store: Record<string, unknown> };
  const stores = Array.from({ length: count }, (_, i) => ({
    ...base,
    store: {
      ...base.store,
      id: i + 1,
      address: `tikv-${i + 1}:20160`,
      peer_address: `tikv-${i + 1}:20160`,
      status_address: `tikv-${i + 1}:20180`,
    },
  }));
  return `${JSON.stringify({ count, stores }, null, 2).replace(/"last_heartbeat": "(\d+)"/g, '"last_heartbeat": $1')}\n`;
}

/**
 * Answers every instant query with one sample per store of the current store count, and a batched
 * read (see `readBatched`) with the samples of each of its queries. A comparison (see
 * `comparisonQuery`) finds every store holding, except store 2 on disk sizes (its disk is 90 % used).
 */
function promRoute(stores: () => number) {
  const answer = (result: unknown[]) => ({
    body: JSON.stringify({ status: "success", data: { resultType: "vector", result } }),
  });
  const samples = (query: string) => {
    if (query.includes(" unless on (instance) (")) {
      return query.includes("tikv_store_size_bytes") ? [{ metric: {}, value: [1, "1"] }] : [];
    }
    const value = query.includes("tikv_store_size_bytes") ? null : query.includes("delta") ? "0" : "0.01";
    return Array.from({ length: stores() }, (_, i) => i + 1).flatMap((id) =>
      value === null
        ? [
            { metric: { instance: `tikv-${id}:20180`, type: "capacity" }, value: [1, "1000"] },
            {
              metric: { instance: `tikv-${id}:20180`, type: "available" },
              value: [1, id === 2 ? "100" : "900"],
            },
          ]
        : [{ metric: { instance: `tikv-${id}:20180` }, value: [1, value] }],
    );
  };
  return (_request: unknown, url: URL) => {
    const query = url.searchParams.get("query") ?? "";
    const parts = partsOf(query);
    if (parts.length === 0) return answer(samples(query));
    return answer(
      parts.flatMap(({ index, text }) =>
        samples(text).map((sample) => ({ ...sample, metric: { ...sample.metric, [QUERY_LABEL]: index } })),
      ),
    );
  };
}

/** The parts of a batched read (see `readBatched`): each part's index and PromQL text. */
function partsOf(query: string): { index: string; text: string }[] {
  const marker = new RegExp(`"${QUERY_LABEL}", "(\\d+)", "", ""\\)`, "g");
  const parts: { index: string; text: string }[] = [];
  let from = 0;
  for (const match of query.matchAll(marker)) {
    parts.push({ index: match[1] ?? "", text: query.slice(from, match.index) });
    from = match.index + match[0].length;
  }
  return parts;
}

let storeCount = 3;
beforeAll(async () => {
  pd = await startTestServer({
    [`${API}/stores`]: () => ({ body: storesBody(storeCount) }),
    [`${API}/regions/check/down-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/miss-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/pending-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/offline-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/cluster`]: { body: compact(fixture("cluster.json")) },
  });
  prom = await startTestServer({ "/api/v1/query": promRoute(() => storeCount) });
});
afterAll(async () => {
  await pd.close();
  await prom.close();
});

const context = (ms = 10_000): ObserveContext => ({
  signal: AbortSignal.timeout(ms),
  deadline: Date.now() + ms,
});

function evaluateAll(subject: ReturnType<typeof tikvSubject>, observation: TikvObservation) {
  return Object.fromEntries(
    subject.invariants.map((invariant) => [
      invariant.name,
      invariant.evaluate(observation, invariant.defaults),
    ]),
  );
}

describe("tikvSubject", () => {
  it("is the default export and builds a subject of kind tikv", () => {
    expect(tikvSubjectDefault).toBe(tikvSubject);
    const subject = tikvSubject({ name: "prod", pdUrl: pd.url, prometheusUrl: prom.url });
    expect(subject.kind).toBe(SUBJECT_KIND);
    expect(subject.name).toBe("prod");
    expect(subject.invariants.map((invariant) => invariant.name)).toEqual([
      "store_down",
      "region_health",
      "slow_store",
      "store_low_space",
      "pending_peers",
      "pd_member_health",
      "pd_leader_changes",
      "pd_etcd_wal_fsync",
      "pd_etcd_peer_latency",
      "pd_clock_slow",
      "pd_cpu_quota",
      "pd_memory_quota",
      "pd_etcd_quota",
      ...METRIC_INVARIANTS.map((invariant) => invariant.name),
    ]);
    expect(METRIC_INVARIANTS.map((invariant) => invariant.name).slice(0, 5)).toEqual([
      "high_latency",
      "low_disk_space",
      "raftstore_cpu",
      "write_stall",
      "leader_drop",
    ]);
  });

  it("observes the cluster and evaluates every invariant", async () => {
    storeCount = 3;
    const subject = tikvSubject({ name: "prod", pdUrl: pd.url, prometheusUrl: prom.url });
    const observation = await subject.observe(context());
    expect(observation.clusterId).toBe("6493707687106161130");
    expect(observation.stores.map((store) => store.id)).toEqual(["1", "2", "3"]);
    const results = evaluateAll(subject, observation);
    expect(results.store_down).toEqual(["1", "2", "3"].map((entity) => ({ entity, outcome: "ok" })));
    expect(results.region_health).toEqual([{ entity: "cluster", outcome: "ok" }]);
    expect(results.low_disk_space).toMatchObject([
      { entity: "1", outcome: "ok" },
      { entity: "2", outcome: "violated", values: { usedRatio: 0.9 } },
      { entity: "3", outcome: "ok" },
    ]);
    expect(results.high_latency).toEqual(["1", "2", "3"].map((entity) => ({ entity, outcome: "ok" })));
  });

  it("makes the same number of requests per cycle for 3 and for 60 stores", async () => {
    const counts: number[] = [];
    for (const stores of [3, 60]) {
      storeCount = stores;
      const events: RequestEvent[] = [];
      const subject = tikvSubject({
        name: "prod",
        pdUrl: pd.url,
        prometheusUrl: prom.url,
        onRequest: (e) => events.push(e),
      });
      await subject.observe(context());
      const second = await subject.observe(context());
      expect(second.stores).toHaveLength(stores);
      expect(second.requests).toEqual({ pd: 8, prometheus: REQUESTS });
      counts.push(second.requests.pd + second.requests.prometheus);
      expect(events.filter((event) => event.source === "pd")).toHaveLength(16);
      expect(subject.stats).toEqual({
        observations: 2,
        requests: { pd: 16, prometheus: 2 * REQUESTS },
      });
    }
    expect(counts[0]).toBe(counts[1]);
    storeCount = 3;
  });

  it("when Prometheus fails, metric invariants are unknown and store_down still evaluates", async () => {
    prom.route("/api/v1/query", {
      status: 503,
      body: '{"status":"error","errorType":"unavailable","error":"TSDB not ready"}',
    });
    try {
      const subject = tikvSubject({ name: "prod", pdUrl: pd.url, prometheusUrl: prom.url, retries: 0 });
      const results = evaluateAll(subject, await subject.observe(context()));
      expect(results.store_down).toHaveLength(3);
      for (const name of ["high_latency", "low_disk_space", "raftstore_cpu", "write_stall", "leader_drop"]) {
        expect(results[name]).toEqual({ unknown: expect.stringContaining("TSDB not ready") });
      }
    } finally {
      prom.route(
        "/api/v1/query",
        promRoute(() => storeCount),
      );
    }
  });

  it("when the region checks fail, only region_health is unknown", async () => {
    pd.route(`${API}/regions/check/miss-peer`, {
      status: 500,
      body: '"[PD:cluster:ErrNotBootstrapped]not bootstrapped"\n',
    });
    try {
      const subject = tikvSubject({ name: "prod", pdUrl: pd.url, prometheusUrl: prom.url, retries: 0 });
      const results = evaluateAll(subject, await subject.observe(context()));
      expect(isUnknownEvaluation(results.region_health as never)).toBe(true);
      expect(Array.isArray(results.store_down)).toBe(true);
      expect(Array.isArray(results.high_latency)).toBe(true);
    } finally {
      pd.route(`${API}/regions/check/miss-peer`, { body: fixture("region-check-empty.json") });
    }
  });

  it("when PD's store list cannot be read, observe throws an ObservationError", async () => {
    pd.route(`${API}/stores`, { body: "{garbage" });
    try {
      const subject = tikvSubject({ name: "prod", pdUrl: pd.url, prometheusUrl: prom.url });
      await expect(subject.observe(context())).rejects.toBeInstanceOf(ObservationError);
      await expect(subject.observe(context())).rejects.toMatchObject({ reason: "invalid_response" });
    } finally {
      pd.route(`${API}/stores`, () => ({ body: storesBody(storeCount) }));
    }
  });

  it("stops at the cycle's deadline", async () => {
    pd.route(`${API}/stores`, { body: storesBody(3), delayMs: 30_000 });
    try {
      const subject = tikvSubject({ name: "prod", pdUrl: pd.url, timeoutMs: 60_000 });
      const started = Date.now();
      await expect(subject.observe(context(300))).rejects.toMatchObject({ reason: "timeout" });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      pd.route(`${API}/stores`, () => ({ body: storesBody(storeCount) }));
    }
  });

  it("a Prometheus slower than the cycle makes the metric invariants unknown, not the whole subject", async () => {
    prom.route("/api/v1/query", { body: "{}", delayMs: 30_000 });
    try {
      const subject = tikvSubject({
        name: "prod",
        pdUrl: pd.url,
        prometheusUrl: prom.url,
        timeoutMs: 60_000,
      });
      const deadline = Date.now() + 2000;
      const observation = await subject.observe({ signal: AbortSignal.timeout(2000), deadline });
      expect(Date.now()).toBeLessThan(deadline);
      expect(observation.stores).toHaveLength(storeCount);
      const readings = Object.values(observation.metrics);
      expect(readings.length).toBeGreaterThan(20);
      expect(readings.every((reading) => "error" in reading && reading.error.reason === "timeout")).toBe(
        true,
      );
      const results = evaluateAll(subject, observation);
      expect(results.store_down).toEqual(["1", "2", "3"].map((entity) => ({ entity, outcome: "ok" })));
      expect(results.high_latency).toMatchObject({
        unknown: expect.stringContaining("Prometheus query failed"),
      });
    } finally {
      prom.route(
        "/api/v1/query",
        promRoute(() => storeCount),
      );
    }
  });

  it("with several PD members, a dead one does not blind the subject", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const subject = tikvSubject({ name: "prod", pdUrl: [dead, pd.url] });
    const first = await subject.observe(context());
    expect(first.stores).toHaveLength(storeCount);
    const second = await subject.observe(context());
    expect(second.requests.pd).toBe(8);
  });

  it("without prometheusUrl, runs the PD invariants only and never asks Prometheus", async () => {
    const subject = tikvSubject({ name: "prod", pdUrl: pd.url });
    expect(subject.invariants.map((invariant) => invariant.name)).toEqual([
      "store_down",
      "region_health",
      "slow_store",
      "store_low_space",
      "pending_peers",
      "pd_member_health",
    ]);
    const observation = await subject.observe(context());
    expect(observation.metrics).toEqual({});
    expect(observation.requests.prometheus).toBe(0);
    expect(() =>
      tikvSubject({ name: "prod", pdUrl: pd.url, invariants: { high_latency: { enabled: true } } }),
    ).toThrow("[operator] [tikv] Invariant `high_latency` reads Prometheus: set option `prometheusUrl`");
    expect(() =>
      tikvSubject({ name: "prod", pdUrl: pd.url, invariants: { pd_etcd_wal_fsync: { enabled: true } } }),
    ).toThrow("[operator] [tikv] Invariant `pd_etcd_wal_fsync` reads Prometheus: set option `prometheusUrl`");
  });

  it("applies invariant overrides and skips the queries of disabled invariants", async () => {
    const subject = tikvSubject({
      name: "prod",
      pdUrl: pd.url,
      prometheusUrl: prom.url,
      invariants: {
        high_latency: { for: "2m", thresholds: { p99Seconds: 0.2 } },
        write_stall: { enabled: false },
      },
    });
    const latency = subject.invariants.find((invariant) => invariant.name === "high_latency");
    expect(latency?.defaults).toMatchObject({ forMs: 120_000, thresholds: { p99Seconds: 0.2 } });
    const observation = await subject.observe(context());
    expect(Object.keys(observation.metrics).sort()).toEqual(
      Object.keys(ALL_QUERIES)
        .filter((key) => key !== "writeStall")
        .sort(),
    );
  });

  it("refuses unknown invariants and bad overrides with a ConfigError", () => {
    expect(() => tikvSubject({ name: "prod", pdUrl: pd.url, invariants: { disk_full: {} } })).toThrow(
      ConfigError,
    );
    expect(() =>
      tikvSubject({ name: "prod", pdUrl: pd.url, invariants: { store_down: { thresholds: { x: 1 } } } }),
    ).toThrow(/has no "x"/);
  });
});
