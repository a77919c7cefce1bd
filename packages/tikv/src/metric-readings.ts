import { ObservationError } from "@operator/core";
import type { CallContext } from "./http.ts";
import { ALWAYS_PRESENT } from "./invariants/promql.ts";
import type { MetricReading, SourceFailure } from "./observation.ts";
import type { PrometheusClient, QueryResult } from "./prometheus-client.ts";

/** The TiKV instances Prometheus scrapes: what a comparison in Prometheus is checked against. */
export const SCRAPED_QUERY = `count by (instance) (${ALWAYS_PRESENT})`;

/**
 * Reads every metric query of a cycle, by reading key; the same PromQL runs once. A key in `holds`
 * is first compared in Prometheus: after one shared read of the scraped instances, one query at the
 * same evaluation time lists the scraped instances that do not hold. When there is none, the reading
 * carries `held` and no sample; when there is one (or no instance is scraped), the full answer is
 * read, as for every other key. A failed query is recorded in its reading; a failed comparison is not
 * retried as a full read, which a Prometheus that just failed would likely fail too, later.
 */
export async function readMetrics(
  prometheus: PrometheusClient,
  queries: Readonly<Record<string, string>>,
  holds: Readonly<Record<string, string>>,
  call: CallContext,
): Promise<Record<string, MetricReading>> {
  const answers = new Map<string, Promise<QueryResult>>();
  const ask = (promql: string, time?: number): Promise<QueryResult> => {
    const id = time === undefined ? promql : `@${time} ${promql}`;
    let answer = answers.get(id);
    if (answer === undefined) {
      answer = prometheus.query(promql, call, time === undefined ? {} : { time });
      answer.catch(() => {});
      answers.set(id, answer);
    }
    return answer;
  };
  const scraped = Object.keys(queries).some((key) => holds[key] !== undefined)
    ? ask(SCRAPED_QUERY)
    : undefined;
  // One set of the scraped instances, shared by every reading that holds.
  const scrapedInstances = scraped?.then(_instancesOf);
  scrapedInstances?.catch(() => {});

  /** The comparison's verdict: every scraped store held, the read failed, or `undefined`: read in full. */
  async function compare(
    hold: string,
  ): Promise<
    { instances: ReadonlySet<string>; warnings: readonly string[] } | { error: unknown } | undefined
  > {
    try {
      const listed = await (scraped as Promise<QueryResult>);
      const time = listed.samples[0]?.timestamp;
      if (time === undefined) return undefined;
      const outside = await ask(`${SCRAPED_QUERY} unless on (instance) (${hold})`, time);
      if (outside.samples.length > 0) return undefined;
      const instances = await (scrapedInstances as Promise<ReadonlySet<string>>);
      return { instances, warnings: [...listed.warnings, ...outside.warnings] };
    } catch (error) {
      return { error };
    }
  }

  async function reading(key: string, query: string): Promise<MetricReading> {
    const hold = holds[key];
    const compared = hold === undefined ? undefined : await compare(hold);
    if (compared && "error" in compared) return { query, error: sourceFailure(compared.error) };
    if (compared) return { query, samples: [], warnings: compared.warnings, held: compared.instances };
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

/** Why a source could not be read, from what its read threw. */
export function sourceFailure(error: unknown): SourceFailure {
  if (error instanceof ObservationError) return { reason: error.reason, message: error.message };
  return { reason: "invalid_response", message: error instanceof Error ? error.message : String(error) };
}

// --- Internal helpers ---

/** The `instance` label of each sample. */
function _instancesOf(answer: QueryResult): ReadonlySet<string> {
  const instances = new Set<string>();
  for (const sample of answer.samples) {
    const instance = sample.labels.instance;
    if (instance !== undefined) instances.add(instance);
  }
  return instances;
}
