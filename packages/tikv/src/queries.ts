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
 * Every query the built-in metric invariants run with their default settings, by reading key
 * (for documentation and tests; a subject runs {@link collectQueries} over its own invariants).
 */
export function buildQueries(windows: QueryWindows): Readonly<Record<string, string>> {
  return collectQueries(TIKV_INVARIANTS, windows);
}
