import { describe, expect, it } from "vitest";
import { batchedRequests, MAX_BATCH_CHARS, QUERY_LABEL } from "../src/batched-reads.ts";
import { PrometheusError } from "../src/errors.ts";
import { highLatency } from "../src/invariants/high-latency.ts";
import { TIKV_INVARIANTS } from "../src/invariants/index.ts";
import {
  holdsWhen,
  isMetricInvariant,
  promNumber,
  type QueryContext,
} from "../src/invariants/metric-invariant.ts";
import { instanceOf } from "../src/join.ts";
import { comparisonQuery, readMetrics, SCRAPED_QUERY } from "../src/metric-readings.ts";
import type { PrometheusClient, QueryOptions, QueryResult } from "../src/prometheus-client.ts";
import { buildQueries, collectHolds } from "../src/queries.ts";
import { observation, recordedStores } from "./helpers/observations.ts";

const WINDOWS = { rateWindow: "1m", leaderDropWindow: "30s" } as const;
const AT = 1_764_750_000_123;

/**
 * The queries one request asked: the parts of a batched read (see `readBatched`), or the PromQL itself.
 */
function partsOf(promql: string): string[] {
  if (!promql.includes(`"${QUERY_LABEL}"`)) return [promql];
  const part = new RegExp(`^label_replace\\((.*), "${QUERY_LABEL}", "\\d+", "", ""\\)$`);
  return promql.split(/(?<=""\)) or (?=label_replace\()/).map((text) => part.exec(text)?.[1] ?? text);
}

/**
 * A Prometheus client answering each query from a table by PromQL (one sample per value, by instance),
 * a batched read part by part, labelled, or with the first part's error; records the parts of every
 * request with its time.
 */
function fakePrometheus(answers: Record<string, number[] | Error>) {
  const asked: { parts: string[]; time: number | undefined }[] = [];
  const client: PrometheusClient = {
    async query(promql: string, _context?: unknown, options: QueryOptions = {}): Promise<QueryResult> {
      const parts = partsOf(promql);
      asked.push({ parts, time: options.time });
      const batched = parts[0] !== promql;
      const samples = parts.flatMap((part, index) => {
        const answer = answers[part];
        if (answer === undefined) throw new Error(`unexpected query ${part}`);
        if (answer instanceof Error) throw answer;
        return answer.map((value, i) => ({
          labels: { instance: `tikv-${i + 1}:20180`, ...(batched ? { [QUERY_LABEL]: String(index) } : {}) },
          value,
          timestamp: AT,
        }));
      });
      return { query: promql, warnings: [], samples };
    },
  };
  return { client, asked, requests: () => asked.map((entry) => entry.parts) };
}

const compare = comparisonQuery;
const failure = () =>
  new PrometheusError("http://prom/api/v1/query", { reason: "server_error", status: 503 });

describe("readMetrics: comparisons in Prometheus", () => {
  it("reads no sample when every scraped store holds, and pins the comparison to the listing's time", async () => {
    const { client, asked, requests } = fakePrometheus({
      [SCRAPED_QUERY]: [1, 1, 1],
      [compare("h")]: [],
      plain: [5, 6],
    });
    const readings = await readMetrics(client, { held: "q", other: "plain" }, { held: "h" }, {});
    expect(readings.held).toEqual({
      query: "q",
      samples: [],
      warnings: [],
      held: new Set(["tikv-1:20180", "tikv-2:20180", "tikv-3:20180"]),
    });
    expect(readings.other).toMatchObject({ query: "plain", samples: [{ value: 5 }, { value: 6 }] });
    expect(asked).toContainEqual({ parts: [compare("h")], time: AT });
    expect(requests().sort()).toEqual([[SCRAPED_QUERY], [compare("h")], ["plain"]].sort());
  });

  it("reads the samples when a scraped store is outside the bounds", async () => {
    const { client, requests } = fakePrometheus({
      [SCRAPED_QUERY]: [1, 1],
      [compare("h")]: [1],
      q: [0.5, 0.01],
    });
    const readings = await readMetrics(client, { held: "q" }, { held: "h" }, {});
    expect(readings.held).toMatchObject({ query: "q", samples: [{ value: 0.5 }, { value: 0.01 }] });
    expect(readings.held).not.toHaveProperty("held");
    expect(requests()).toEqual([[SCRAPED_QUERY], [compare("h")], ["q"]]);
  });

  it("compares several invariants in one query and reads only those outside their bounds", async () => {
    const { client, requests } = fakePrometheus({
      [SCRAPED_QUERY]: [1, 1],
      [compare("h1")]: [],
      [compare("h2")]: [2],
      [compare("h3")]: [],
      q2: [0.5, 0.01],
    });
    const readings = await readMetrics(
      client,
      { one: "q1", two: "q2", three: "q3" },
      { one: "h1", two: "h2", three: "h3" },
      {},
    );
    expect(readings.one).toMatchObject({ samples: [], held: new Set(["tikv-1:20180", "tikv-2:20180"]) });
    expect(readings.three).toMatchObject({ samples: [], held: expect.any(Set) });
    expect(readings.two).toMatchObject({ query: "q2", samples: [{ value: 0.5 }, { value: 0.01 }] });
    expect(requests()).toEqual([[SCRAPED_QUERY], [compare("h1"), compare("h2"), compare("h3")], ["q2"]]);
  });

  it("reads the samples when no store is scraped", async () => {
    const { client } = fakePrometheus({ [SCRAPED_QUERY]: [], q: [0.01] });
    const readings = await readMetrics(client, { held: "q" }, { held: "h" }, {});
    expect(readings.held).toMatchObject({ query: "q", samples: [{ value: 0.01 }] });
    expect(readings.held).not.toHaveProperty("held");
  });

  it.each([
    ["the listing of scraped stores fails", { [SCRAPED_QUERY]: failure() }],
    ["the comparison fails", { [SCRAPED_QUERY]: [1], [compare("h")]: failure() }],
  ])("records the failure, without a full read, when %s", async (_why, answers) => {
    const { client, requests } = fakePrometheus({ ...answers, q: [0.01] });
    const readings = await readMetrics(client, { held: "q" }, { held: "h" }, {});
    expect(readings.held).toMatchObject({ query: "q", error: { reason: "server_error" } });
    expect(requests().flat()).not.toContain("q");
  });

  it("records a failed batch for its own comparisons only", async () => {
    const long = (name: string) => `${name}${" ".repeat(MAX_BATCH_CHARS / 2)}`;
    const { client, requests } = fakePrometheus({
      [SCRAPED_QUERY]: [1],
      [compare(long("a"))]: failure(),
      [compare(long("b"))]: [],
    });
    const readings = await readMetrics(client, { a: "qa", b: "qb" }, { a: long("a"), b: long("b") }, {});
    expect(readings.a).toMatchObject({ query: "qa", error: { reason: "server_error" } });
    expect(readings.b).toMatchObject({ query: "qb", samples: [], held: expect.any(Set) });
    expect(requests()).toHaveLength(3);
  });

  it("compares each alone when Prometheus refuses a batch's PromQL, so one error stays its own", async () => {
    const refused = () =>
      new PrometheusError("http://prom/api/v1/query", {
        reason: "client_error",
        status: 422,
        errorType: "execution",
      });
    const { client, requests } = fakePrometheus({
      [SCRAPED_QUERY]: [1],
      [compare("h1")]: [],
      [compare("h2")]: refused(),
    });
    const readings = await readMetrics(client, { one: "q1", two: "q2" }, { one: "h1", two: "h2" }, {});
    expect(readings.one).toMatchObject({ query: "q1", samples: [], held: expect.any(Set) });
    expect(readings.two).toMatchObject({ query: "q2", error: { reason: "client_error" } });
    expect(requests()).toEqual([
      [SCRAPED_QUERY],
      [compare("h1"), compare("h2")],
      [compare("h1")],
      [compare("h2")],
    ]);
  });

  it("does not compare again when the batch failed for another reason", async () => {
    const { client, requests } = fakePrometheus({
      [SCRAPED_QUERY]: [1],
      [compare("h1")]: [],
      [compare("h2")]: failure(),
    });
    const readings = await readMetrics(client, { one: "q1", two: "q2" }, { one: "h1", two: "h2" }, {});
    expect(readings.one).toMatchObject({ error: { reason: "server_error" } });
    expect(readings.two).toMatchObject({ error: { reason: "server_error" } });
    expect(requests()).toHaveLength(2);
  });

  it("records a failed read of the samples as the reading's error", async () => {
    const { client } = fakePrometheus({
      [SCRAPED_QUERY]: [1],
      [compare("h")]: [1],
      q: failure(),
    });
    const readings = await readMetrics(client, { held: "q" }, { held: "h" }, {});
    expect(readings.held).toMatchObject({ query: "q", error: { reason: "server_error" } });
  });

  it("lists the scraped instances once per cycle, and runs the same PromQL once", async () => {
    const { client, requests } = fakePrometheus({
      [SCRAPED_QUERY]: [1],
      [compare("h")]: [],
      same: [1],
    });
    await readMetrics(client, { a: "q", b: "q", c: "same", d: "same" }, { a: "h", b: "h" }, {});
    expect(requests().sort()).toEqual([[SCRAPED_QUERY], [compare("h")], ["same"]].sort());
  });
});

describe("comparisonQuery", () => {
  const holds = collectHolds(TIKV_INVARIANTS, WINDOWS);
  const distinct = [...new Set(Object.values(holds))];

  it("counts the scraped instances that do not hold, and the built-in comparisons take a few requests", () => {
    expect(comparisonQuery("h")).toBe(`count(${SCRAPED_QUERY} unless on (instance) (h))`);
    const batches = batchedRequests(distinct.map(comparisonQuery));
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.length).toBeLessThan(distinct.length / 4);
  });
});

describe("evaluateStores on a reading Prometheus compared", () => {
  const up = recordedStores().find((store) => store.id === "1");
  if (!up) throw new Error("store 1 is missing from the fixture");
  const held = new Set([instanceOf(up)]);

  it("finds the listed stores ok and the others unknown; states still decide first", () => {
    const evaluation = highLatency.evaluate(
      observation({ metrics: { grpcP99: { query: "q", samples: [], warnings: [], held } } }),
      highLatency.defaults,
    );
    expect(evaluation).toEqual([
      { entity: "1", outcome: "ok" },
      {
        entity: "4",
        outcome: "unknown",
        reason: "Store 4 is Disconnected in PD; its metrics are not judged",
      },
      { entity: "5", outcome: "unknown", reason: "Store 5 is Down in PD; its metrics are not judged" },
      { entity: "6", outcome: "unknown", reason: expect.stringContaining("No grpcP99 sample for store 6") },
      { entity: "8", outcome: "unknown", reason: expect.stringContaining("No grpcP99 sample for store 8") },
    ]);
  });
});

describe("collectHolds", () => {
  it("compares in Prometheus the keys of invariants that declare how, one comparison per invariant", () => {
    const holds = collectHolds(TIKV_INVARIANTS, WINDOWS);
    expect(holds.grpcP99).toBe(
      'max by (instance) (histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{type!="kv_gc"}[1m])) by (le, instance))) <= 0.1',
    );
    expect(holds.leaderDelta).toBe(
      'sum by (instance) (sum(delta(tikv_raftstore_region_count{type="leader"}[30s])) by (instance)) >= -10',
    );
    expect(holds.criticalErrors).toMatch(/^sum by \(instance\) \(round\(max by \(instance, type\)/);
    expect(holds.cpuUsed).toBe(
      "(sum by (instance) (sum(rate(process_cpu_seconds_total[1m])) by (instance)) / sum by (instance) (sum(tikv_server_cpu_cores_quota) by (instance)) <= 0.8) and on (instance) (sum by (instance) (sum(tikv_server_cpu_cores_quota) by (instance)) > 0)",
    );
    expect(holds.cpuQuota).toBe(holds.cpuUsed);
    // The GC and unreachable-store invariants judge the cluster, not each store: their samples are read.
    expect(Object.keys(holds).sort()).toEqual(
      Object.keys(buildQueries(WINDOWS))
        .filter((key) => key !== "gcActivity" && key !== "reportFailures")
        .sort(),
    );
  });

  it("drops a key two invariants compare differently, with every other key of either", () => {
    const ratio = TIKV_INVARIANTS.find((invariant) => invariant.name === "cpu_quota");
    if (!ratio || !isMetricInvariant(ratio)) throw new Error("cpu_quota is missing");
    const usedAlone = {
      ...ratio,
      name: "cpu_used",
      queries: (context: QueryContext) => ({ cpuUsed: ratio.queries(context).cpuUsed ?? "" }),
      holds: undefined,
    };
    expect(collectHolds([ratio], WINDOWS)).toHaveProperty("cpuQuota");
    expect(collectHolds([ratio, usedAlone], WINDOWS)).toEqual({});
  });

  it("uses the configured threshold and drops a key two invariants compare differently", () => {
    const stricter = {
      ...highLatency,
      name: "stricter",
      defaults: { ...highLatency.defaults, thresholds: { p99Seconds: 0.05 } },
    };
    expect(collectHolds([stricter], WINDOWS).grpcP99).toMatch(/<= 0\.05$/);
    expect(collectHolds([highLatency, stricter], WINDOWS)).not.toHaveProperty("grpcP99");
    const disabled = { ...stricter, defaults: { ...stricter.defaults, enabled: false } };
    expect(collectHolds([highLatency, disabled], WINDOWS)).toHaveProperty("grpcP99");
  });

  it("writes numbers as PromQL reads them", () => {
    expect(holdsWhen("q", "max", "<=", 1e21)).toBe("max by (instance) (q) <= 1e+21");
    expect([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 0.1].map(promNumber)).toEqual([
      "Inf",
      "-Inf",
      "NaN",
      "0.1",
    ]);
  });
});
