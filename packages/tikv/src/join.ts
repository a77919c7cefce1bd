import type { PdStore } from "./pd-client.ts";
import type { Sample } from "./prometheus-client.ts";

/** TiKV's default status port, used when PD knows no status address at all. */
export const DEFAULT_STATUS_PORT = "20180";

const WILDCARD_HOSTS = new Set(["", "0.0.0.0", "::", "[::]"]);

/**
 * The Prometheus `instance` a store's TiKV metrics carry: its `status_address` (the scrape target).
 * When that is empty or a wildcard (`0.0.0.0:20180`, `[::]:20180`), the host of the gRPC `address`
 * with the status port (20180 if unknown), which is how the store is reachable from elsewhere.
 * Computed once per store object (PD's stores are read afresh every cycle and never changed).
 */
export function instanceOf(store: Pick<PdStore, "address" | "statusAddress">): string {
  let instance = instances.get(store);
  if (instance === undefined) {
    instance = _instanceOf(store);
    instances.set(store, instance);
  }
  return instance;
}

/** {@link instanceOf} by store object: every metric invariant of a cycle asks it for every store. */
const instances = new WeakMap<object, string>();

function _instanceOf(store: Pick<PdStore, "address" | "statusAddress">): string {
  const status = splitHostPort(store.statusAddress ?? "");
  if (store.statusAddress && !WILDCARD_HOSTS.has(status.host)) return store.statusAddress;
  const { host } = splitHostPort(store.address);
  return `${host}:${status.port || DEFAULT_STATUS_PORT}`;
}

/** True for stores whose metrics are TiKV's: TiFlash stores (label `engine=tiflash`) are left out. */
export function hasTikvMetrics(store: Pick<PdStore, "engine">): boolean {
  return store.engine === "tikv";
}

/**
 * Samples grouped by their `instance` label, to join with stores by {@link instanceOf} in one pass.
 * Grouped once per samples list: invariants reading the same query share the (read-only) result.
 */
export function groupByInstance(samples: readonly Sample[]): ReadonlyMap<string, readonly Sample[]> {
  let groups = groupings.get(samples);
  if (groups === undefined) {
    groups = _groupByInstance(samples);
    groupings.set(samples, groups);
  }
  return groups;
}

const groupings = new WeakMap<readonly Sample[], ReadonlyMap<string, readonly Sample[]>>();

function _groupByInstance(samples: readonly Sample[]): Map<string, Sample[]> {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const instance = sample.labels.instance;
    if (instance === undefined) continue;
    const group = groups.get(instance);
    if (group) group.push(sample);
    else groups.set(instance, [sample]);
  }
  return groups;
}

/** Splits `host:port`, `[v6]:port` or a bare host; the host keeps IPv6 brackets. */
export function splitHostPort(address: string): { host: string; port: string } {
  if (address.startsWith("[")) {
    const end = address.indexOf("]");
    if (end > 0) {
      const rest = address.slice(end + 1);
      return { host: address.slice(0, end + 1), port: rest.startsWith(":") ? rest.slice(1) : "" };
    }
  }
  const colon = address.lastIndexOf(":");
  if (colon < 0 || address.indexOf(":") !== colon) return { host: address, port: "" };
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
}
