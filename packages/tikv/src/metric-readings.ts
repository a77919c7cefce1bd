import { ObservationError } from "@operator/core";
import { type BatchedAnswer, readBatched } from "./batched-reads.ts";
import type { CallContext } from "./http.ts";
import { ALWAYS_PRESENT } from "./invariants/promql.ts";
import type { MetricReading, SourceFailure } from "./observation.ts";
import type { PrometheusClient, QueryResult } from "./prometheus-client.ts";

/** The TiKV instances Prometheus scrapes: what a comparison in Prometheus is checked against. */
export const SCRAPED_QUERY = `count by (instance) (${ALWAYS_PRESENT})`;

/**
 * Reads every metric query of a cycle, by reading key; the same PromQL runs once. A key in `holds`
 * is first compared in Prometheus: after one shared read of the scraped instances, one query per
 * comparison (see {@link comparisonQuery}), read in batches at the same evaluation time
 * ({@link readBatched}), counts the scraped instances that do not hold. A comparison that counts
 * none gives a reading that carries `held` and no sample; when some instance is outside its bounds
 * (or no instance is scraped), the full answer is read, as for every other key. A failed query is
 * recorded in its reading; a failed comparison is not retried as a full read, which a Prometheus that
 * just failed would likely fail too, later.
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
    const counted = await readBatched(prometheus, list.map(comparisonQuery), call, { time });
    list.forEach((hold, i) => {
      const answer = counted[i] as BatchedAnswer;
      if ("error" in answer) found.set(hold, { error: answer.error });
      else if (answer.samples.length === 0) {
        found.set(hold, { instances, warnings: [...listed.warnings, ...answer.warnings] });
      }
    });
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

/**
 * The comparison of one hold (the PromQL of the instances that hold): the count of the scraped
 * instances that do not, which has no sample when every scraped instance holds.
 */
export function comparisonQuery(hold: string): string {
  return `count(${SCRAPED_QUERY} unless on (instance) (${hold}))`;
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

/** The `instance` label of each sample. */
function _instancesOf(answer: QueryResult): ReadonlySet<string> {
  const instances = new Set<string>();
  for (const sample of answer.samples) {
    const instance = sample.labels.instance;
    if (instance !== undefined) instances.add(instance);
  }
  return instances;
}
