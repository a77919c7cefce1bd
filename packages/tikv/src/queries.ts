import { ConfigError, type Invariant } from "@operator/core";
import { PREFIX } from "./errors.ts";
import { TIKV_INVARIANTS } from "./invariants/index.ts";
import { isMetricInvariant } from "./invariants/metric-invariant.ts";
import type { TikvObservation } from "./observation.ts";

/** Ranges the queries use. */
export interface QueryWindows {
  /** Range of `rate()`. @default "1m" */
  readonly rateWindow: string;
  /** Range of the leader-count `delta()`. @default "30s" */
  readonly leaderDropWindow: string;
}

/**
 * The single list of PromQL a cycle runs, by reading key: the queries of every enabled metric
 * invariant, each built from its own settings. Two invariants may share a key only with the same
 * PromQL (it then runs once); a key claimed with different PromQL is a programming error.
 */
export function collectQueries(
  invariants: readonly Invariant<TikvObservation>[],
  windows: QueryWindows,
): Readonly<Record<string, string>> {
  const queries: Record<string, string> = {};
  const owner: Record<string, string> = {};
  for (const invariant of invariants) {
    if (!isMetricInvariant(invariant) || !invariant.defaults.enabled) continue;
    for (const [key, promql] of Object.entries(
      invariant.queries({ windows, settings: invariant.defaults }),
    )) {
      const claimed = queries[key];
      if (claimed !== undefined && claimed !== promql) {
        throw new ConfigError(
          `${PREFIX} Invariants \`${owner[key]}\` and \`${invariant.name}\` both read \`${key}\` with different PromQL`,
        );
      }
      queries[key] = promql;
      owner[key] ??= invariant.name;
    }
  }
  return queries;
}

/**
 * Which reading keys Prometheus may compare (see `MetricInvariant.holds`), with the PromQL of the
 * stores that hold. A key qualifies only when every enabled invariant that reads it declares the
 * same PromQL for it, and an invariant's keys qualify all together or not at all: otherwise some
 * invariant needs the samples, and they are read.
 */
export function collectHolds(
  invariants: readonly Invariant<TikvObservation>[],
  windows: QueryWindows,
): Readonly<Record<string, string>> {
  const holds: Record<string, string> = {};
  const needsSamples = new Set<string>();
  const readers: (readonly string[])[] = [];
  for (const invariant of invariants) {
    if (!isMetricInvariant(invariant) || !invariant.defaults.enabled) continue;
    const context = { windows, settings: invariant.defaults };
    const keys = Object.keys(invariant.queries(context));
    const declared = invariant.holds?.(context) ?? {};
    readers.push(keys);
    for (const key of keys) {
      const promql = declared[key];
      if (promql === undefined || (holds[key] !== undefined && holds[key] !== promql)) needsSamples.add(key);
      else holds[key] = promql;
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const keys of readers) {
      if (!keys.some((key) => needsSamples.has(key))) continue;
      for (const key of keys.filter((key) => !needsSamples.has(key))) {
        needsSamples.add(key);
        changed = true;
      }
    }
  }
  for (const key of needsSamples) delete holds[key];
  return holds;
}

/**
 * Every query the built-in metric invariants run with their default settings, by reading key
 * (for documentation and tests; a subject runs {@link collectQueries} over its own invariants).
 */
export function buildQueries(windows: QueryWindows): Readonly<Record<string, string>> {
  return collectQueries(TIKV_INVARIANTS, windows);
}

/**
 * The comparisons Prometheus makes for the built-in metric invariants with their default settings,
 * by reading key (see {@link collectHolds}).
 */
export function buildHolds(windows: QueryWindows): Readonly<Record<string, string>> {
  return collectHolds(TIKV_INVARIANTS, windows);
}
