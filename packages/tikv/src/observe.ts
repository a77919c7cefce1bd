import { ObservationError, type ObserveContext } from "@operator/core";
import type { CallContext } from "./http.ts";
import {
  MAX_REGION_IDS,
  type MetricReading,
  REGION_CHECKS,
  type RegionHealth,
  type SourceFailure,
  type TikvObservation,
} from "./observation.ts";
import type { PdClient, RegionCheck } from "./pd-client.ts";
import type { PrometheusClient, QueryResult } from "./prometheus-client.ts";
import type { MetricName } from "./queries.ts";

/** What {@link createCollector} reads from. */
export interface CollectorSources {
  readonly pd: PdClient;
  /** Absent when no Prometheus is configured: no metric is read. */
  readonly prometheus?: PrometheusClient | undefined;
  /** The queries to run each cycle (those the enabled invariants need). */
  readonly queries: Readonly<Partial<Record<MetricName, string>>>;
}

/**
 * Reads one {@link TikvObservation}: PD's stores, the four region checks and one query per metric,
 * all in parallel. A failed store list throws (the whole subject is unknown); any other failure is
 * recorded in the observation for the invariants that need it.
 */
export function createCollector(
  sources: CollectorSources,
): (context: ObserveContext) => Promise<TikvObservation> {
  let clusterId: string | undefined;
  return async (context) => {
    const at = Date.now();
    const requests = { pd: 0, prometheus: 0 };
    const local = new AbortController();
    const call: CallContext = {
      signal: AbortSignal.any([context.signal, local.signal]),
      deadline: context.deadline,
      onRequest: (event) => {
        requests[event.source] += 1;
      },
    };
    const metricEntries = sources.prometheus
      ? (Object.entries(sources.queries) as [MetricName, string][])
      : [];
    const storesRead = sources.pd.stores(call);
    storesRead.catch(() => local.abort(new Error("the store list could not be read")));
    const [stores, checks, id, readings] = await Promise.all([
      storesRead.then(_fulfilled, _rejected),
      Promise.all(REGION_CHECKS.map((type) => sources.pd.regionCheck(type, call))).then(
        _fulfilled,
        _rejected,
      ),
      Promise.resolve(clusterId ?? sources.pd.clusterId(call)).then(_fulfilled, _rejected),
      Promise.allSettled(
        metricEntries.map(([, query]) => (sources.prometheus as PrometheusClient).query(query, call)),
      ),
    ]);
    if (stores.status === "rejected") throw _asObservationError(stores.reason);
    if (id.status === "fulfilled") clusterId = id.value;
    const metrics: Partial<Record<MetricName, MetricReading>> = {};
    metricEntries.forEach(([name, query], i) => {
      const reading = readings[i] as PromiseSettledResult<QueryResult>;
      metrics[name] =
        reading.status === "fulfilled"
          ? { query, samples: reading.value.samples, warnings: reading.value.warnings }
          : { query, error: _failure(reading.reason) };
    });
    return {
      at,
      clusterId,
      stores: stores.value,
      regions:
        checks.status === "fulfilled" ? summarizeRegions(checks.value) : { error: _failure(checks.reason) },
      metrics,
      requests,
    };
  };
}

/** Summarises region checks: counts, the first region ids, and down/pending peers per store. */
export function summarizeRegions(checks: readonly RegionCheck[]): RegionHealth {
  const summary = Object.fromEntries(
    checks.map((check) => [
      check.type,
      { count: check.count, regionIds: check.regions.slice(0, MAX_REGION_IDS).map((region) => region.id) },
    ]),
  ) as unknown as RegionHealth["checks"];
  const downPeersByStore: Record<string, number> = {};
  const pendingPeersByStore: Record<string, number> = {};
  for (const check of checks) {
    if (check.type !== "down-peer" && check.type !== "pending-peer") continue;
    for (const region of check.regions) {
      const peers =
        check.type === "down-peer" ? region.downPeers.map((down) => down.peer) : region.pendingPeers;
      const tally = check.type === "down-peer" ? downPeersByStore : pendingPeersByStore;
      for (const storeId of new Set(peers.map((peer) => peer.storeId)))
        tally[storeId] = (tally[storeId] ?? 0) + 1;
    }
  }
  return { checks: summary, downPeersByStore, pendingPeersByStore };
}

// --- Internal helpers ---

function _fulfilled<T>(value: T): PromiseSettledResult<T> {
  return { status: "fulfilled", value };
}

function _rejected(reason: unknown): PromiseRejectedResult {
  return { status: "rejected", reason };
}

function _failure(error: unknown): SourceFailure {
  if (error instanceof ObservationError) return { reason: error.reason, message: error.message };
  return { reason: "invalid_response", message: error instanceof Error ? error.message : String(error) };
}

function _asObservationError(error: unknown): ObservationError {
  if (error instanceof ObservationError) return error;
  return new ObservationError(`[operator] [tikv] Reading PD's stores failed: ${String(error)}`, {
    reason: "invalid_response",
    cause: error,
  });
}
