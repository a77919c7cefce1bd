import { DEFAULT_SETTINGS, type InvariantSettings, type Runbook, type Severity } from "@operator/core";
import type { PdStore } from "../pd-client.ts";
import type { Sample } from "../prometheus-client.ts";
import { formatValue, type Unit } from "./format.ts";
import type { MetricInvariant, QueryContext } from "./metric-invariant.ts";
import { evaluateStores, jsonNumber, storeLabel, storeOk, storeValues } from "./per-store.ts";

/** What one store measured: the number compared with the threshold. */
export interface Measurement {
  readonly value: number;
  /**
   * What a violation shows beside the value. Called only when the value is over the threshold: most
   * stores hold, and building this for each of thousands every cycle would be wasted.
   */
  readonly describe?: () => MeasurementDetails;
}

/** What a violation's ticket shows beside the measured value. */
export interface MeasurementDetails {
  /** Extra values for the ticket, e.g. the p99 of every command type. */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Names the worst part (a command type, a thread pool) in the message. */
  readonly detail?: string;
}

/** A violation's measured value with its details, as its message is written from. */
export type DescribedMeasurement = MeasurementDetails & { readonly value: number };

/** A per-store invariant that compares one measured number with one threshold. */
export interface StoreThresholdSpec {
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  readonly forMs: number;
  /** Off by default when false (configuration turns it on). @default true */
  readonly enabled?: boolean;
  readonly runbook: Runbook;
  /** The threshold compared with the value, under this name in `defaults.thresholds`. */
  readonly threshold: { readonly name: string; readonly value: number };
  /** Other thresholds, e.g. a window the query uses. */
  readonly extraThresholds?: Readonly<Record<string, number>>;
  readonly unit: Unit;
  readonly queries: (context: QueryContext) => Readonly<Record<string, string>>;
  /** How the measured value reads, e.g. `gRPC p99`, `raft log lag p99`. */
  readonly what: string;
  /** What the value means for the store, appended to the message, e.g. `writes will slow down`. */
  readonly consequence?: string;
  /**
   * The store's number from its samples (of the first reading key) and every key's samples.
   * `NaN` (a histogram without observations in the window) holds unless `nanIsUnknown`.
   */
  readonly measure: (
    samples: readonly Sample[],
    all: Readonly<Record<string, readonly Sample[]>>,
    settings: Readonly<Record<string, number>>,
  ) => Measurement | { readonly unknown: string };
  readonly nanIsUnknown?: boolean;
  /**
   * Lets Prometheus compare (see `MetricInvariant.holds`): the PromQL of the stores whose value is at
   * or below `threshold`, given the first key's query, e.g. `(q, t) => holdsWhen(q, "max", "<=", t)`
   * when the value is the largest sample; it covers every key. Every store it lists must measure at
   * or below the threshold.
   */
  readonly holds?: (query: string, threshold: number) => string;
  /** Replaces the default message `<store> <what> is <value> (threshold <t>): <consequence>`. */
  readonly message?: (store: PdStore, measured: DescribedMeasurement, threshold: number) => string;
}

/**
 * Builds a per-store {@link MetricInvariant}: each running TiKV store's measured value stays at or
 * below the threshold; the common rules of `evaluateStores` decide which stores are judged.
 */
export function storeThresholdInvariant(spec: StoreThresholdSpec): MetricInvariant {
  return {
    name: spec.name,
    description: spec.description,
    defaults: {
      ...DEFAULT_SETTINGS,
      enabled: spec.enabled ?? true,
      severity: spec.severity,
      forMs: spec.forMs,
      thresholds: { [spec.threshold.name]: spec.threshold.value, ...spec.extraThresholds },
    },
    runbook: spec.runbook,
    queries: spec.queries,
    ...(spec.holds ? { holds: _holds.bind(null, spec, spec.holds) } : {}),
    evaluate(observation, settings) {
      const readingKeys = Object.keys(spec.queries({ windows: KEY_WINDOWS, settings }));
      const threshold = _threshold(spec, settings);
      return evaluateStores(observation, readingKeys, (store, samples, query, all) => {
        const measured = spec.measure(samples, all, settings.thresholds);
        if ("unknown" in measured) return { entity: store.id, outcome: "unknown", reason: measured.unknown };
        const value = measured.value;
        if (Number.isNaN(value)) {
          return spec.nanIsUnknown
            ? { entity: store.id, outcome: "unknown", reason: `Store ${store.id} ${spec.what} is NaN` }
            : storeOk(store);
        }
        if (value <= threshold) return storeOk(store);
        const details = { value, ...measured.describe?.() };
        return {
          entity: store.id,
          outcome: "violated",
          message: (spec.message ?? _message.bind(null, spec))(store, details, threshold),
          values: {
            ...storeValues(store),
            value: jsonNumber(value, 12),
            threshold,
            ...details.values,
            query,
          },
        };
      });
    },
  };
}

/** The largest value of a set of samples (one per label value), with the label value it came from. */
export function worstSample(samples: readonly Sample[], label: string): { value: number; which?: string } {
  let worst: { value: number; which?: string } = { value: Number.NaN };
  for (const sample of samples) {
    if (Number.isNaN(sample.value)) continue;
    if (Number.isNaN(worst.value) || sample.value > worst.value) {
      const which = sample.labels[label];
      worst = which === undefined ? { value: sample.value } : { value: sample.value, which };
    }
  }
  return worst;
}

/** Each sample's value by its `label` (as a ticket stores it): `{ write: 0.12, default: 0.03 }`. */
export function byLabel(samples: readonly Sample[], label: string): Record<string, number | string> {
  return Object.fromEntries(samples.map((s) => [s.labels[label] ?? "", jsonNumber(s.value)]));
}

/** The sum of samples' values. */
export function sumOf(samples: readonly Sample[]): number {
  return samples.reduce((sum, sample) => sum + sample.value, 0);
}

// --- Internal helpers ---

/** Windows to list reading keys with: keys never depend on windows, only the PromQL does. */
const KEY_WINDOWS = { rateWindow: "1m", leaderDropWindow: "30s" } as const;

function _threshold(spec: StoreThresholdSpec, settings: InvariantSettings): number {
  return settings.thresholds[spec.threshold.name] ?? spec.threshold.value;
}

function _holds(
  spec: StoreThresholdSpec,
  holds: NonNullable<StoreThresholdSpec["holds"]>,
  context: QueryContext,
): Record<string, string> {
  const queries = Object.entries(spec.queries(context));
  const promql = holds(queries[0]?.[1] ?? "", _threshold(spec, context.settings));
  return Object.fromEntries(queries.map(([key]) => [key, promql]));
}

function _message(
  spec: StoreThresholdSpec,
  store: PdStore,
  measured: DescribedMeasurement,
  threshold: number,
): string {
  const detail = measured.detail ? ` (${measured.detail})` : "";
  const consequence = spec.consequence ? `: ${spec.consequence}` : "";
  return `${storeLabel(store)} ${spec.what}${detail} is ${formatValue(measured.value, spec.unit)} (threshold ${formatValue(threshold, spec.unit)})${consequence}`;
}
