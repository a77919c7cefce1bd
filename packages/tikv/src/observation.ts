import type { ObservationFailure } from "@operator/core";
import type { PdStore } from "./pd-client.ts";
import type { PdApiObservation } from "./pd-health.ts";
import type { Sample } from "./prometheus-client.ts";

/** Why one source (region checks, one metric query) could not be read this cycle. */
export interface SourceFailure {
  readonly reason: ObservationFailure;
  readonly message: string;
}

/** The region checks a cycle reads from PD. */
export type RegionCheckName = "down-peer" | "miss-peer" | "pending-peer" | "offline-peer";

/** Every region check read per cycle. */
export const REGION_CHECKS: readonly RegionCheckName[] = [
  "down-peer",
  "miss-peer",
  "pending-peer",
  "offline-peer",
];

/** One region check, summarised: PD's count and the first region ids (for the ticket). */
export interface RegionCheckSummary {
  readonly count: number;
  /** Up to {@link MAX_REGION_IDS} region ids. */
  readonly regionIds: readonly string[];
}

/** How many region ids a summary keeps. */
export const MAX_REGION_IDS = 20;

/** What PD's region checks said, cluster-wide and per store. */
export interface RegionHealth {
  readonly checks: Readonly<Record<RegionCheckName, RegionCheckSummary>>;
  /** Store id -> regions where that store's peer is reported down. */
  readonly downPeersByStore: Readonly<Record<string, number>>;
  /** Store id -> regions where that store's peer lags behind (pending). */
  readonly pendingPeersByStore: Readonly<Record<string, number>>;
}

/**
 * One metric reading: the query and its samples, or why it failed. When Prometheus did the comparing
 * (see `MetricInvariant.holds`) and every scraped store held, no sample was read: `samples` is empty
 * and `held` lists the instances that held; an instance outside it is not scraped.
 */
export type MetricReading =
  | {
      readonly query: string;
      readonly samples: readonly Sample[];
      readonly warnings: readonly string[];
      readonly held?: ReadonlySet<string>;
    }
  | { readonly query: string; readonly error: SourceFailure };

/**
 * What one cycle read from a TiKV cluster. PD's store list is required (without it `observe` throws);
 * region checks and each metric query may fail on their own, which makes only the invariants that
 * need them `unknown`.
 */
export interface TikvObservation {
  /** When the observation was made, epoch ms. */
  readonly at: number;
  /** PD's cluster id (a decimal string: it exceeds 2^53), read every cycle; the subject's identity. */
  readonly clusterId: string;
  /**
   * Every store PD lists: Up (incl. Disconnected/Down), Offline and Tombstone; TiFlash included.
   * Never empty of live stores: such a list makes `observe` throw.
   */
  readonly stores: readonly PdStore[];
  /**
   * Ids of stores this subject saw listed earlier under the same cluster id that PD no longer lists
   * (removed, or their Tombstone record purged). Their per-store results are `ok` with `gone` set.
   */
  readonly removedStores: readonly string[];
  /** The region checks, or why they could not be read. */
  readonly regions: RegionHealth | { readonly error: SourceFailure };
  /**
   * Metric readings by reading key (each metric invariant names the keys it reads); a key is absent
   * when no enabled invariant needs it or no Prometheus is configured.
   */
  readonly metrics: Readonly<Record<string, MetricReading>>;
  /**
   * PD's members, their health, the leader history and PD's own metrics, for the PD invariants;
   * absent when not read (each of those invariants is then `unknown`).
   */
  readonly pd?: PdApiObservation;
  /** HTTP requests (attempts) this observation made, per server. Constant in the number of stores. */
  readonly requests: { readonly pd: number; readonly prometheus: number };
}

/** `store 4 removed from the cluster (Tombstone)`: the `gone` reason of a store that left. */
export function storeGone(storeId: string, how: "Tombstone" | "no longer listed by PD"): string {
  return `store ${storeId} removed from the cluster (${how})`;
}

/** True when a region reading failed. */
export function isRegionFailure(
  regions: TikvObservation["regions"],
): regions is { readonly error: SourceFailure } {
  return "error" in regions;
}

/** True when a metric reading failed. */
export function isMetricFailure(
  reading: MetricReading,
): reading is Extract<MetricReading, { error: SourceFailure }> {
  return "error" in reading;
}
