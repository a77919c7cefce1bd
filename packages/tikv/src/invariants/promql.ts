/**
 * PromQL builders shared by the metric invariants. Every query is grouped by `instance` (or by the
 * label that names a store) so one request covers the whole cluster.
 */

/** A TiKV series every running store exports from start-up; marks a store as scraped. */
export const ALWAYS_PRESENT = 'tikv_raftstore_region_count{type="region"}';

/** Label of the zero sample {@link eventsInWindow} adds for every scraped store. */
export const PRESENCE_LABEL = "presence";

/**
 * `histogram_quantile(q, sum(rate(<metric>_bucket{selector}[window])) by (le, instance, ...by))`.
 */
export function quantileQuery(
  quantile: number,
  metric: string,
  selector: string,
  window: string,
  by: readonly string[] = [],
): string {
  const labels = ["le", "instance", ...by].join(", ");
  return `histogram_quantile(${quantile}, sum(rate(${metric}_bucket${_braces(selector)}[${window}])) by (${labels}))`;
}

/**
 * Events a counter counted within `window`, per instance and `by` labels, plus one zero sample per
 * scraped TiKV store labelled `presence="1"`, so that "no event" (the counter was never created)
 * is told apart from "no data" (the store is not scraped).
 *
 * TiKV creates these counters at their first event, with the value 1: `rate()` and `increase()`
 * need two samples and miss that first event. The series that did not exist `window` ago are
 * counted with their whole value, and the larger of the two readings is kept. They carry a `born`
 * label on the way: `or` matches label sets without the metric name, so without it the born series
 * would be dropped as duplicates of their (zero) increase.
 */
export function eventsInWindow(
  metric: string,
  selector: string,
  window: string,
  by: readonly string[],
): string {
  const series = `${metric}${_braces(selector)}`;
  const labels = ["instance", ...by].join(", ");
  return (
    `max by (${labels}) (increase(${series}[${window}]) or label_replace(${series} unless ${series} offset ${window}, "born", "1", "", ""))` +
    ` or label_replace(0 * count by (instance) (${ALWAYS_PRESENT}), "${PRESENCE_LABEL}", "1", "", "")`
  );
}

/** `<n>s`: a PromQL duration from seconds (at least 1 s). */
export function seconds(value: number): string {
  return `${Math.max(1, Math.round(value))}s`;
}

// --- Internal helpers ---

function _braces(selector: string): string {
  return selector === "" ? "" : `{${selector}}`;
}
