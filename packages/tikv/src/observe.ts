import { ObservationError, type ObserveContext } from "@operator/core";
import { PREFIX } from "./errors.ts";
import type { CallContext } from "./http.ts";
import { readMetrics, sourceFailure } from "./metric-readings.ts";
import { MAX_REGION_IDS, REGION_CHECKS, type RegionHealth, type TikvObservation } from "./observation.ts";
import type { PdClient, PdStore, RegionCheck } from "./pd-client.ts";
import type { PdApiObservation } from "./pd-health.ts";
import type { PrometheusClient } from "./prometheus-client.ts";

/** What {@link createCollector} reads from. */
export interface CollectorSources {
  readonly pd: PdClient;
  /** Absent when no Prometheus is configured: no metric is read. */
  readonly prometheus?: PrometheusClient | undefined;
  /** The queries to run each cycle by reading key (see `collectQueries`); the same PromQL runs once. */
  readonly queries: Readonly<Record<string, string>>;
  /** Keys Prometheus compares, with the PromQL of the stores that hold (see `collectHolds`). */
  readonly holds?: Readonly<Record<string, string>>;
  /** Reads PD's members, health and PD metrics (see `createPdReader`); absent: not read. */
  readonly readPd?: ((call: CallContext, at: number) => Promise<PdApiObservation>) | undefined;
}

/**
 * Reads one {@link TikvObservation}: PD's stores (Tombstone included), its cluster id, the four
 * region checks and every metric query, all in parallel: 6 PD requests (8 with PD's members and
 * health, see `createPdReader`) and one per distinct PromQL (see `readMetrics` for the keys Prometheus
 * compares), whatever the number of stores. The store list and the cluster id are required: when
 * either cannot be read, or PD lists no live store, `observe` throws (the whole subject is
 * `unknown`). Any other failure is recorded in the observation for the invariants that need it, and
 * those reads stop early (see {@link optionalDeadline}). Stores listed earlier under the same cluster
 * id and no longer listed are reported in `removedStores`.
 */
export function createCollector(
  sources: CollectorSources,
): (context: ObserveContext) => Promise<TikvObservation> {
  let seen: { clusterId: string; ids: Set<string> } | undefined;
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
    const early = optionalDeadline(context.deadline, at);
    const optional: CallContext = early === undefined ? call : { ...call, deadline: early };
    const storesRead = sources.pd.stores(call);
    const idRead = sources.pd.clusterId(call);
    let firstFailure: unknown;
    const stopOthers = (why: string) => (error: unknown) => {
      firstFailure ??= error;
      local.abort(new Error(why));
    };
    storesRead.catch(stopOthers("the store list could not be read"));
    idRead.catch(stopOthers("the cluster id could not be read"));
    const [stores, checks, id, metrics, pd] = await Promise.all([
      storesRead.then(_fulfilled, _rejected),
      Promise.all(REGION_CHECKS.map((type) => sources.pd.regionCheck(type, optional))).then(
        _fulfilled,
        _rejected,
      ),
      idRead.then(_fulfilled, _rejected),
      sources.prometheus
        ? readMetrics(sources.prometheus, sources.queries, sources.holds ?? {}, optional)
        : {},
      sources.readPd?.(optional, at),
    ]);
    // The read that failed first is the cause; the other was aborted because of it.
    if (stores.status === "rejected" || id.status === "rejected") throw _asObservationError(firstFailure);
    const clusterId = id.value;
    _assertPlausible(stores.value, clusterId);
    const listed = new Set(stores.value.map((store) => store.id));
    if (seen?.clusterId !== clusterId) seen = { clusterId, ids: new Set() };
    const removedStores = [...seen.ids].filter((storeId) => !listed.has(storeId));
    for (const storeId of listed) seen.ids.add(storeId);
    return {
      at,
      clusterId,
      stores: stores.value,
      removedStores,
      regions:
        checks.status === "fulfilled"
          ? summarizeRegions(checks.value)
          : { error: sourceFailure(checks.reason) },
      metrics,
      ...(pd ? { pd } : {}),
      requests,
    };
  };
}

/**
 * When the reads a cycle can do without (region checks, metrics, PD's members) give up: a tenth of
 * the time left before the cycle's deadline, at most 2 s, is kept for the store list and the cluster
 * id, so that a slow Prometheus makes the metric invariants `unknown` rather than the whole subject.
 */
export function optionalDeadline(deadline: number | undefined, now: number): number | undefined {
  if (deadline === undefined) return undefined;
  return deadline - Math.min(OPTIONAL_MARGIN_MS, Math.max(0, deadline - now) / 10);
}

/** The longest time kept back from the optional reads, see {@link optionalDeadline}. */
const OPTIONAL_MARGIN_MS = 2000;

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

function _asObservationError(error: unknown): ObservationError {
  if (error instanceof ObservationError) return error;
  return new ObservationError(`${PREFIX} Reading PD failed: ${String(error)}`, {
    reason: "invalid_response",
  });
}

/**
 * A store list with no live store is not a reading of a running cluster (a misrouted proxy, a PD
 * that lost its data): it must never resolve store tickets.
 */
function _assertPlausible(stores: readonly PdStore[], clusterId: string): void {
  if (stores.some((store) => store.stateName !== "Tombstone")) return;
  const what =
    stores.length === 0
      ? "PD answered no stores"
      : `PD lists no live store (only ${stores.length} Tombstone)`;
  throw new ObservationError(
    `${PREFIX} ${what} for cluster ${clusterId}: a cluster without stores is not plausible, the list is not trusted`,
    { reason: "invalid_response", retryable: true },
  );
}
