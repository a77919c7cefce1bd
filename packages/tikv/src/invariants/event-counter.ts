import type { Runbook, Severity } from "@operator/core";
import { holdsWhen, type MetricInvariant } from "./metric-invariant.ts";
import { storeLabel } from "./per-store.ts";
import { eventsInWindow, PRESENCE_LABEL, seconds } from "./promql.ts";
import { storeThresholdInvariant } from "./store-threshold.ts";

/** A per-store invariant counting events of a TiKV counter within a window. */
export interface EventSpec {
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  readonly forMs: number;
  readonly runbook: Runbook;
  readonly metric: string;
  /** A label that tells kinds of events apart (`type`). */
  readonly by: string;
  readonly key: string;
  /** Plural noun of the events, e.g. `critical errors`. */
  readonly noun: string;
  readonly windowMinutes: number;
  readonly consequence: string;
}

/**
 * Builds an invariant over `eventsInWindow`: each store counts at most `events` (0) within
 * `windowMinutes`. A store whose counter was never created (no event since it started) holds, as
 * long as the store itself is scraped; an unscraped store is `unknown`.
 */
export function eventInvariant(spec: EventSpec): MetricInvariant {
  return storeThresholdInvariant({
    name: spec.name,
    description: spec.description,
    severity: spec.severity,
    forMs: spec.forMs,
    runbook: spec.runbook,
    threshold: { name: "events", value: 0 },
    extraThresholds: { windowMinutes: spec.windowMinutes },
    unit: "count",
    what: spec.noun,
    queries: ({ settings }) => ({
      [spec.key]: eventsInWindow(
        spec.metric,
        "",
        seconds((settings.thresholds.windowMinutes ?? spec.windowMinutes) * 60),
        [spec.by],
      ),
    }),
    // Each kind's count is rounded before the sum, as below; NaN, which is skipped there, never holds.
    holds: (query, threshold) => holdsWhen(`round(${query})`, "sum", "<=", threshold),
    measure: (samples, _all, thresholds) => {
      const byKind: Record<string, number> = {};
      for (const sample of samples) {
        if (sample.labels[PRESENCE_LABEL] !== undefined || Number.isNaN(sample.value)) continue;
        const kind = sample.labels[spec.by] ?? "";
        byKind[kind] = (byKind[kind] ?? 0) + Math.round(sample.value);
      }
      const value = Object.values(byKind).reduce((sum, count) => sum + count, 0);
      return {
        value,
        describe: () => {
          const counted = Object.entries(byKind).filter(([, count]) => count > 0);
          return {
            values: {
              [`by_${spec.by}`]: Object.fromEntries(counted),
              windowMinutes: thresholds.windowMinutes ?? spec.windowMinutes,
            },
            detail: counted.map(([kind, count]) => `${kind}: ${count}`).join(", "),
          };
        },
      };
    },
    message: (store, measured) => {
      const minutes = measured.values?.windowMinutes;
      return `${storeLabel(store)} counted ${measured.value} ${spec.noun} in the last ${minutes} min (${measured.detail}): ${spec.consequence}`;
    },
  });
}
