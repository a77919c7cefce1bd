import type { GoJsonValue } from "../pd/go-format.ts";

/** Region conditions a fault can create; the names are PD's `/regions/check/{type}` paths. */
export type RegionFaultKind = "down-peer" | "miss-peer" | "pending-peer" | "offline-peer";

/** Every `/regions/check/{type}` PD accepts (the ones beyond the fault kinds are always empty). */
export const REGION_CHECK_TYPES = [
  "miss-peer",
  "extra-peer",
  "pending-peer",
  "down-peer",
  "learner-peer",
  "empty-region",
  "offline-peer",
  "oversized-region",
  "undersized-region",
] as const;

/** The region-fault kinds, in a fixed order (their index shapes region ids). */
export const REGION_FAULT_KINDS: readonly RegionFaultKind[] = [
  "down-peer",
  "miss-peer",
  "pending-peer",
  "offline-peer",
];

interface FaultEntry {
  readonly count: number;
  /** Simulated ms when the fault was set (down peers report seconds since then). */
  readonly sinceSimMs: number;
}

/**
 * Regions in trouble, per kind and store. Healthy regions are only counted, never materialised: a
 * check endpoint lists exactly the regions a fault created.
 */
export class RegionFaults {
  readonly #faults = new Map<RegionFaultKind, Map<number, FaultEntry>>();

  /** Sets how many regions with a peer on `storeId` are in condition `kind` (0 clears). */
  set(kind: RegionFaultKind, storeId: number, count: number, simNowMs: number): void {
    let byStore = this.#faults.get(kind);
    if (!byStore) {
      byStore = new Map();
      this.#faults.set(kind, byStore);
    }
    if (count <= 0) byStore.delete(storeId);
    else byStore.set(storeId, { count, sinceSimMs: byStore.get(storeId)?.sinceSimMs ?? simNowMs });
  }

  /** Regions with a pending peer on `storeId` (PD's `pending_peer_count`). */
  pendingOn(storeId: number): number {
    return this.#faults.get("pending-peer")?.get(storeId)?.count ?? 0;
  }

  /** The region objects for `/regions/check/{kind}`, in region id order. */
  regions(kind: string, storeIds: readonly number[], simNowMs: number): GoJsonValue[] {
    const kindIndex = REGION_FAULT_KINDS.indexOf(kind as RegionFaultKind);
    const byStore = this.#faults.get(kind as RegionFaultKind);
    if (kindIndex < 0 || !byStore) return [];
    const out: GoJsonValue[] = [];
    for (const [storeId, entry] of [...byStore].sort((a, b) => a[0] - b[0])) {
      const others = storeIds.filter((id) => id !== storeId);
      for (let i = 0; i < entry.count; i++) {
        const downSeconds = Math.max(0, Math.floor((simNowMs - entry.sinceSimMs) / 1000));
        out.push(regionJson(kind as RegionFaultKind, kindIndex, storeId, others, i, downSeconds));
      }
    }
    return out;
  }
}

// --- Internal helpers ---

function regionJson(
  kind: RegionFaultKind,
  kindIndex: number,
  storeId: number,
  others: readonly number[],
  index: number,
  downSeconds: number,
): GoJsonValue {
  const regionId = 1_000_000 * (kindIndex + 1) + storeId * 1_000 + index;
  const peerBase = regionId * 10;
  const pick = (n: number): number =>
    others.length === 0 ? storeId : (others[(storeId + index + n) % others.length] as number);
  const faulty = { role_name: "Voter", id: peerBase + 1, store_id: storeId };
  const healthy = [
    { role_name: "Voter", id: peerBase + 2, store_id: pick(0) },
    { role_name: "Voter", id: peerBase + 3, store_id: pick(1) },
  ];
  const peers = kind === "miss-peer" ? healthy : [faulty, ...healthy];
  const leader = kind === "offline-peer" && index % 2 === 1 ? faulty : healthy[0];
  const key = (n: number): string =>
    `7480000000000000FF${(regionId + n).toString(16).toUpperCase().padStart(8, "0")}5F728000000000FF0000000000000000F8`;
  return {
    id: regionId,
    start_key: key(0),
    end_key: key(1),
    epoch: { conf_ver: 5 + (index % 3), version: 40 + (index % 11) },
    peers,
    leader,
    down_peers: kind === "down-peer" ? [{ peer: faulty, down_seconds: downSeconds }] : undefined,
    pending_peers: kind === "pending-peer" ? [faulty] : undefined,
    cpu_usage: 0,
    written_bytes: 0,
    read_bytes: 0,
    written_keys: 0,
    read_keys: 0,
    approximate_size: 96,
    approximate_keys: 640_000,
    approximate_kv_size: 90,
    approximate_columnar_kv_size: 0,
  };
}
