import type { EntityResult, Evaluation } from "@operator/core";
import { groupByInstance, instanceOf } from "../join.ts";
import { isMetricFailure, storeGone, type TikvObservation } from "../observation.ts";
import type { PdStore } from "../pd-client.ts";
import type { Sample } from "../prometheus-client.ts";

const NO_SAMPLES: readonly Sample[] = [];

/** States whose store is running: its metrics are read and judged. */
const RUNNING = new Set(["Up", "Offline"]);
/** States whose store is unreadable: metric invariants say `unknown`, never `ok`. */
const UNREADABLE = new Set(["Disconnected", "Down"]);

/** How {@link evaluateStores} treats stores. */
export interface PerStoreOptions {
  /** Leave Offline stores out (treated as ok), for invariants that removal itself trips. @default false */
  readonly skipOffline?: boolean;
}

/**
 * Evaluates a metric invariant for every TiKV store PD lists, from the reading under `key` (or
 * several keys: every one must answer for a store to be judged). Readings Prometheus compared
 * (`held` on every key) make every store they list `ok` and every other one `unknown`. TiFlash stores
 * are left out; Tombstone stores and stores no longer listed are `ok` with `gone` (their tickets
 * resolve with that reason); Disconnected/Down stores, stores without a sample and a failed query
 * give `unknown`;
 * `judge` sees each remaining store with its samples of the first key (joined on `instance`, see
 * `instanceOf`), the first key's query, and the samples of every key.
 */
export function evaluateStores(
  observation: TikvObservation,
  key: string | readonly string[],
  judge: (
    store: PdStore,
    samples: readonly Sample[],
    query: string,
    all: Readonly<Record<string, readonly Sample[]>>,
  ) => EntityResult,
  options: PerStoreOptions = {},
): Evaluation {
  const keys = typeof key === "string" ? [key] : key;
  const grouped: Record<string, ReadonlyMap<string, readonly Sample[]>> = {};
  let held: ReadonlySet<string> | undefined;
  for (const name of keys) {
    const reading = observation.metrics[name];
    if (!reading)
      return {
        unknown: `No Prometheus reading for ${name}: no Prometheus is configured or the query did not run`,
      };
    if (isMetricFailure(reading)) return { unknown: `Prometheus query failed: ${reading.error.message}` };
    held = name === keys[0] ? reading.held : held && reading.held;
    grouped[name] = groupByInstance(reading.samples);
  }
  const first = keys[0] as string;
  const query = (observation.metrics[first] as { query: string }).query;
  const results: EntityResult[] = removedResults(observation);
  for (const store of observation.stores) {
    if (store.stateName === "Tombstone") {
      results.push(tombstoneResult(store));
      continue;
    }
    if (store.engine !== "tikv") continue;
    if (options.skipOffline && store.stateName === "Offline") continue;
    const entity = store.id;
    if (UNREADABLE.has(store.stateName)) {
      results.push({
        entity,
        outcome: "unknown",
        reason: `Store ${entity} is ${store.stateName} in PD; its metrics are not judged`,
      });
    } else if (!RUNNING.has(store.stateName)) {
      results.push({
        entity,
        outcome: "unknown",
        reason: `Store ${entity} has an unrecognised state "${store.stateName}"`,
      });
    } else if (held) {
      const instance = instanceOf(store);
      results.push(held.has(instance) ? storeOk(store) : _noSample(first, entity, instance));
    } else {
      const instance = instanceOf(store);
      const all: Record<string, readonly Sample[]> = {};
      let missing: string | undefined;
      for (const name of keys) {
        const samples = grouped[name]?.get(instance) ?? NO_SAMPLES;
        all[name] = samples;
        if (samples.length === 0) missing ??= name;
      }
      results.push(
        missing !== undefined
          ? _noSample(missing, entity, instance)
          : judge(store, all[first] as readonly Sample[], query, all),
      );
    }
  }
  return results;
}

/**
 * The `ok` result of a store, one object per store object (PD's stores are read afresh each cycle):
 * every invariant that finds the store ok reports the same one, rather than one object each.
 */
export function storeOk(store: PdStore): EntityResult {
  let result = okResults.get(store);
  if (result === undefined) {
    result = { entity: store.id, outcome: "ok" };
    okResults.set(store, result);
  }
  return result;
}

const okResults = new WeakMap<PdStore, EntityResult>();

/** `ok` with `gone` for every store PD no longer lists (see `TikvObservation.removedStores`). */
export function removedResults(observation: TikvObservation): EntityResult[] {
  return observation.removedStores.map((entity) => ({
    entity,
    outcome: "ok",
    gone: storeGone(entity, "no longer listed by PD"),
  }));
}

/** `ok` with `gone` for a Tombstone store: it left the cluster for good. */
export function tombstoneResult(store: PdStore): EntityResult {
  return { entity: store.id, outcome: "ok", gone: storeGone(store.id, "Tombstone") };
}

/** The values every per-store result carries: which store, where, in what state. */
export function storeValues(store: PdStore): Record<string, unknown> {
  return {
    store_id: store.id,
    address: store.address,
    instance: instanceOf(store),
    state_name: store.stateName,
  };
}

/** A number as JSON can carry it: `NaN` and infinities become Prometheus's strings. */
export function jsonNumber(value: number, digits = 6): number | string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return Number(value.toPrecision(digits));
}

/** `Store 4 (10.0.1.4:20160)`: how messages name a store. */
export function storeLabel(store: PdStore): string {
  return `Store ${store.id} (${store.address})`;
}

// --- Internal helpers ---

function _noSample(key: string, entity: string, instance: string): EntityResult {
  return {
    entity,
    outcome: "unknown",
    reason: `No ${key} sample for store ${entity} (instance "${instance}")`,
  };
}
