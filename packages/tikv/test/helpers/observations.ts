import { batchedRequests } from "../../src/batched-reads.ts";
import { decode } from "../../src/json.ts";
import { comparisonQuery } from "../../src/metric-readings.ts";
import type { MetricReading, TikvObservation } from "../../src/observation.ts";
import { REGION_CHECKS } from "../../src/observation.ts";
import { summarizeRegions } from "../../src/observe.ts";
import type { PdStore, RegionCheck } from "../../src/pd-client.ts";
import { regionsResponse, storesResponse } from "../../src/pd-schemas.ts";
import { buildQueries } from "../../src/queries.ts";
import { fixture } from "./fixtures.ts";

/** The six stores of fixtures/stores.json, parsed the way the PD client parses them. */
export function recordedStores(): PdStore[] {
  return decode(storesResponse, fixture("stores.json"), "pd", "/pd/api/v1/stores").stores;
}

/** Store 1's heartbeat in fixtures/stores.json, epoch ms: the observations are "made" 5 s later. */
export const RECORDED_AT = 1679593456896 + 5000;

/** Region checks from fixtures: down-peer as recorded, the others empty. */
export function recordedRegions(): ReturnType<typeof summarizeRegions> {
  const checks: RegionCheck[] = REGION_CHECKS.map((type) => {
    const body =
      type === "down-peer" ? fixture("region-check-down-peer.json") : fixture("region-check-empty.json");
    const parsed = decode(regionsResponse, body, "pd", `/pd/api/v1/regions/check/${type}`);
    return { type, count: parsed.count, regions: parsed.regions };
  });
  return summarizeRegions(checks);
}

/**
 * A reading from a recorded Prometheus answer (fixtures/prometheus-*.json), values parsed the way
 * the client parses them.
 */
export function recordedReading(name: string): MetricReading {
  const body = JSON.parse(fixture(`prometheus-${name}.json`)) as {
    query: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  const special: Record<string, number> = {
    NaN: Number.NaN,
    "+Inf": Number.POSITIVE_INFINITY,
    "-Inf": Number.NEGATIVE_INFINITY,
  };
  return {
    query: body.query,
    warnings: [],
    samples: body.data.result.map((entry) => ({
      labels: entry.metric,
      value: special[entry.value[1]] ?? Number(entry.value[1]),
      timestamp: entry.value[0] * 1000,
    })),
  };
}

/** An observation of the recorded cluster, with any part replaced. */
export function observation(patch: Partial<TikvObservation> = {}): TikvObservation {
  return {
    at: RECORDED_AT,
    clusterId: "6493707687106161130",
    stores: recordedStores(),
    removedStores: [],
    regions: recordedRegions(),
    metrics: {},
    requests: { pd: 6, prometheus: 0 },
    ...patch,
  };
}

/**
 * Prometheus requests of a cycle (PD's own metric queries aside) when every comparison finds every
 * store holding: the listing of scraped instances, the batched comparisons, and one per distinct
 * query that is not compared.
 */
export function requestsWhenAllHold(
  queries: Readonly<Record<string, string>>,
  holds: Readonly<Record<string, string>>,
): number {
  const keys = Object.keys(queries);
  const compared = new Set(keys.flatMap((key) => (holds[key] === undefined ? [] : [holds[key]])));
  const read = new Set(keys.filter((key) => holds[key] === undefined).map((key) => queries[key]));
  return (compared.size > 0 ? 1 + batchedRequests([...compared].map(comparisonQuery)).length : 0) + read.size;
}

/** A reading with one sample per instance. */
export function reading(
  query: string,
  values: Record<string, number>,
  labels: Record<string, string> = {},
): MetricReading {
  return {
    query,
    warnings: [],
    samples: Object.entries(values).map(([instance, value]) => ({
      labels: { ...labels, instance },
      value,
      timestamp: RECORDED_AT,
    })),
  };
}

/**
 * Answers to every query of the official-rule invariants (fixtures/prometheus-official-rules.json),
 * by reading key: store 8 breaks every rule, stores 1 and 6 are healthy, the TiFlash store 7 would
 * break them too (it must be left out), Disconnected/Down stores 4 and 5 answer normally.
 */
export function recordedReadings(): Record<string, MetricReading> {
  const body = JSON.parse(fixture("prometheus-official-rules.json")) as Record<
    string,
    { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }
  >;
  const queries = buildQueries({ rateWindow: "1m", leaderDropWindow: "30s" });
  const special: Record<string, number> = {
    NaN: Number.NaN,
    "+Inf": Number.POSITIVE_INFINITY,
    "-Inf": Number.NEGATIVE_INFINITY,
  };
  return Object.fromEntries(
    Object.entries(body).map(([key, answer]) => [
      key,
      {
        query: queries[key] ?? key,
        warnings: [],
        samples: answer.data.result.map((entry) => ({
          labels: entry.metric,
          value: special[entry.value[1]] ?? Number(entry.value[1]),
          timestamp: entry.value[0] * 1000,
        })),
      },
    ]),
  );
}
