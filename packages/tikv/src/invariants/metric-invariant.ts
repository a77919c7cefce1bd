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
  readonly runbook: Runbook;
}

/** True for invariants that read Prometheus (they carry `queries`). */
export function isMetricInvariant(invariant: Invariant<TikvObservation>): invariant is MetricInvariant {
  return typeof (invariant as Partial<MetricInvariant>).queries === "function";
}
