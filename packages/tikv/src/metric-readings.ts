import { ObservationError } from "@operator/core";
import { packQueries, refusedQuery } from "./batched-reads.ts";
import type { CallContext } from "./http.ts";
import { ALWAYS_PRESENT } from "./invariants/promql.ts";
import type { MetricReading, SourceFailure } from "./observation.ts";
import type { PrometheusClient, QueryResult } from "./prometheus-client.ts";

/** The TiKV instances Prometheus scrapes: what a comparison in Prometheus is checked against. */
export const SCRAPED_QUERY = `count by (instance) (${ALWAYS_PRESENT})`;

/**
 * Reads every metric query of a cycle, by reading key; the same PromQL runs once. A key in `holds`
 * is first compared in Prometheus: after one shared read of the scraped instances, a few batched
 * queries at the same evaluation time (see {@link comparisonQueries}) count, comparison by
 * comparison, the scraped instances that do not hold. A comparison with none gives a reading that
 * carries `held` and no sample; when one is outside its bounds (or no instance is scraped, or a
 * batch's answer cannot be read back), the full answer is read, as for every other key. A failed
 * query is recorded in its reading; a failed comparison is not retried as a full read, which a
 * Prometheus that just failed would likely fail too, later. A batch whose PromQL Prometheus refuses
 * (`bad_data`, `execution`) is compared again one comparison per query, so that one comparison's
 * error stays its own.
 */
export async function readMetrics(
  prometheus: PrometheusClient,
  queries: Readonly<Record<string, string>>,
  holds: Readonly<Record<string, string>>,
  call: CallContext,
): Promise<Record<string, MetricReading>> {
  const answers = new Map<string, Promise<QueryResult>>();
  const ask = (promql: string): Promise<QueryResult> => {
    let answer = answers.get(promql);
    if (answer === undefined) {
      answer = prometheus.query(promql, call);
      answer.catch(() => {});
      answers.set(promql, answer);
    }
    return answer;
  };
  const compared = new Set<string>();
  for (const key of Object.keys(queries)) {
    const hold = holds[key];
    if (hold !== undefined) compared.add(hold);
  }
  const verdicts = compared.size > 0 ? compareAll([...compared]) : undefined;

  /** Each comparison's verdict, by hold; a hold without one is read in full. */
  async function compareAll(list: readonly string[]): Promise<ReadonlyMap<string, Verdict>> {
    const found = new Map<string, Verdict>();
    let listed: QueryResult;
    try {
      listed = await ask(SCRAPED_QUERY);
    } catch (error) {
      for (const hold of list) found.set(hold, { error });
      return found;
    }
    const time = listed.samples[0]?.timestamp;
    if (time === undefined) return found;
    const instances = _instancesOf(listed);
    const compare = async (batch: ComparisonQuery): Promise<void> => {
      try {
        const answer = await prometheus.query(batch.query, call, { time });
        const outside = _outsideOf(answer, batch.holds.length);
        if (outside === undefined) return;
        const warnings = [...listed.warnings, ...answer.warnings];
        batch.holds.forEach((hold, i) => {
          if (!outside.has(i)) found.set(hold, { instances, warnings });
        });
      } catch (error) {
        // Prometheus refused the PromQL itself: one comparison must not blind the others of its batch.
        if (batch.holds.length > 1 && refusedQuery(error)) {
          await Promise.all(batch.holds.flatMap((hold) => comparisonQueries([hold])).map(compare));
          return;
        }
        for (const hold of batch.holds) found.set(hold, { error });
      }
    };
    await Promise.all(comparisonQueries(list).map(compare));
    return found;
  }

  async function reading(key: string, query: string): Promise<MetricReading> {
    const hold = holds[key];
    const verdict = hold === undefined ? undefined : (await verdicts)?.get(hold);
    if (verdict && "error" in verdict) return { query, error: sourceFailure(verdict.error) };
    if (verdict) return { query, samples: [], warnings: verdict.warnings, held: verdict.instances };
    try {
      const answer = await ask(query);
      return { query, samples: answer.samples, warnings: answer.warnings };
    } catch (error) {
      return { query, error: sourceFailure(error) };
    }
  }

  const entries = Object.entries(queries);
  const readings = await Promise.all(entries.map(([key, query]) => reading(key, query)));
  return Object.fromEntries(entries.map(([key], i) => [key, readings[i] as MetricReading]));
}

/** The label a batched comparison puts on what it counts: the comparison's index in its batch. */
export const COMPARISON_LABEL = "operator_comparison";

/** One batched comparison: its PromQL and the holds it compares, in label order. */
export interface ComparisonQuery {
  readonly query: string;
  readonly holds: readonly string[];
}

/**
 * The comparisons of `holds` (each the PromQL of the instances that hold) in as few queries as fit
 * `MAX_BATCH_CHARS` (see `packQueries`). A query counts, by comparison, the scraped instances that
 * do not hold; a comparison whose index is absent from the answer found every scraped instance
 * holding:
 *
 *     count by (operator_comparison) (
 *         label_replace(<scraped> unless on (instance) (<hold 0>), "operator_comparison", "0", "", "")
 *       or label_replace(<scraped> unless on (instance) (<hold 1>), "operator_comparison", "1", "", "")
 *     )
 */
export function comparisonQueries(holds: readonly string[]): ComparisonQuery[] {
  return packQueries(holds, _comparison, (body) => `count by (${COMPARISON_LABEL}) (${body})`).map(
    (batch) => ({ query: batch.query, holds: batch.items }),
  );
}

/** The scraped instances that do not hold, labelled with the comparison's index in its batch. */
function _comparison(hold: string, index: number): string {
  const outside = `${SCRAPED_QUERY} unless on (instance) (${hold})`;
  return `label_replace(${outside}, "${COMPARISON_LABEL}", "${index}", "", "")`;
}

/** Why a source could not be read, from what its read threw. */
export function sourceFailure(error: unknown): SourceFailure {
  if (error instanceof ObservationError) return { reason: error.reason, message: error.message };
  return { reason: "invalid_response", message: error instanceof Error ? error.message : String(error) };
}

// --- Internal helpers ---

/** A comparison's verdict: every scraped instance held, or the comparison failed. */
type Verdict =
  | { readonly instances: ReadonlySet<string>; readonly warnings: readonly string[] }
  | { readonly error: unknown };

/**
 * The indexes of the comparisons a batched answer lists (some scraped instance did not hold), or
 * `undefined` when a sample does not name one of the batch's comparisons: the answer is not what was
 * asked, and every comparison of the batch is read in full.
 */
function _outsideOf(answer: QueryResult, count: number): ReadonlySet<number> | undefined {
  const outside = new Set<number>();
  for (const sample of answer.samples) {
    const label = sample.labels[COMPARISON_LABEL] ?? "";
    const index = /^\d{1,4}$/.test(label) ? Number(label) : Number.NaN;
    if (!(index < count)) return undefined;
    outside.add(index);
  }
  return outside;
}

/** The `instance` label of each sample. */
function _instancesOf(answer: QueryResult): ReadonlySet<string> {
  const instances = new Set<string>();
  for (const sample of answer.samples) {
    const instance = sample.labels.instance;
    if (instance !== undefined) instances.add(instance);
  }
  return instances;
}
