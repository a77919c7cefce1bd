import type { Invariant, InvariantSettings, Runbook } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import type { QueryWindows } from "../queries.ts";

/** What a metric invariant builds its PromQL from: the subject's windows and its own settings. */
export interface QueryContext {
  readonly windows: QueryWindows;
  /** The invariant's settings after configuration overrides (a window may be a threshold). */
  readonly settings: InvariantSettings;
}

/**
 * A TiKV invariant read from Prometheus. It owns its queries: `queries` names the PromQL it needs
 * by reading key, and `evaluate` finds each answer under the same key in `observation.metrics`.
 * Keys are unique across invariants unless two invariants need the very same PromQL (then it runs
 * once). Every query is grouped so one request covers the whole cluster.
 */
export interface MetricInvariant extends Invariant<TikvObservation> {
  /** The PromQL readings this invariant needs each cycle, by reading key. */
  queries(context: QueryContext): Readonly<Record<string, string>>;
  /**
   * Lets Prometheus do the comparing (optional): PromQL for the stores that hold, one series per
   * `instance`, by reading key (every key of `queries`, usually with the same PromQL). Every store in
   * that vector must evaluate `ok` from its full samples. When every scraped store is in it, the
   * subject reads no samples and the reading says which instances held (`held`); otherwise it reads
   * the full answer. Built with {@link holdsWhen}.
   */
  holds?(context: QueryContext): Readonly<Record<string, string>>;
  readonly runbook: Runbook;
}

/** True for invariants that read Prometheus (they carry `queries`). */
export function isMetricInvariant(invariant: Invariant<TikvObservation>): invariant is MetricInvariant {
  return typeof (invariant as Partial<MetricInvariant>).queries === "function";
}

/**
 * PromQL for the stores whose value holds, for `MetricInvariant.holds`: each instance's samples
 * combined by `max` (NaN ignored unless every sample is NaN, as `worstSample`) or `sum` (NaN if any
 * is), compared with `threshold`: at most (`<=`) or at least (`>=`) it. NaN and missing stores never
 * hold.
 */
export function holdsWhen(
  query: string,
  combine: "max" | "sum",
  comparison: "<=" | ">=",
  threshold: number,
): string {
  return `${combine} by (instance) (${query}) ${comparison} ${promNumber(threshold)}`;
}

/** A number as PromQL writes it: `Inf`, `-Inf` and `NaN` by name. */
export function promNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Inf" : "-Inf";
  return String(value);
}
