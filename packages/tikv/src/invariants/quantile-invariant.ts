import type { Runbook, Severity } from "@operator/core";
import type { Unit } from "./format.ts";
import { holdsWhen, type MetricInvariant } from "./metric-invariant.ts";
import { quantileQuery } from "./promql.ts";
import { byLabel, storeThresholdInvariant, worstSample } from "./store-threshold.ts";

/** A per-store invariant on a histogram quantile, e.g. the p99 of raft log apply. */
export interface QuantileSpec {
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  readonly forMs: number;
  readonly runbook: Runbook;
  /** Histogram name without `_bucket`. */
  readonly metric: string;
  /** Label matchers inside the braces, e.g. `type="write"`. @default "" */
  readonly selector?: string;
  readonly quantile: number;
  /** A label kept apart (`type`, `req`): the worst value decides and the message names it. */
  readonly by?: string;
  /** Reading key in `observation.metrics`. */
  readonly key: string;
  readonly threshold: { readonly name: string; readonly value: number };
  readonly unit: Unit;
  /** How the quantile reads in a message, e.g. `raft log apply p99`. */
  readonly what: string;
  readonly consequence?: string;
}

/**
 * Builds an invariant over `histogram_quantile(q, sum(rate(<metric>_bucket[rateWindow])) by (le,
 * instance[, by]))`. No observation in the window (`NaN`) holds; a quantile in the `+Inf` bucket is
 * above any threshold.
 */
export function quantileInvariant(spec: QuantileSpec): MetricInvariant {
  const by = spec.by;
  return storeThresholdInvariant({
    name: spec.name,
    description: spec.description,
    severity: spec.severity,
    forMs: spec.forMs,
    runbook: spec.runbook,
    threshold: spec.threshold,
    unit: spec.unit,
    what: spec.what,
    ...(spec.consequence === undefined ? {} : { consequence: spec.consequence }),
    queries: ({ windows }) => ({
      [spec.key]: quantileQuery(
        spec.quantile,
        spec.metric,
        spec.selector ?? "",
        windows.rateWindow,
        by ? [by] : [],
      ),
    }),
    holds: (query, threshold) => holdsWhen(query, "max", "<=", threshold),
    measure: (samples) => {
      if (!by) return { value: worstSample(samples, "").value };
      const worst = worstSample(samples, by);
      return {
        value: worst.value,
        describe: () => ({
          values: { [`by_${by}`]: byLabel(samples, by) },
          ...(worst.which === undefined ? {} : { detail: `${by} ${worst.which}` }),
        }),
      };
    },
  });
}
