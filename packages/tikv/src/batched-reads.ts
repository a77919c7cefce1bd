import { PrometheusError } from "./errors.ts";
import type { CallContext } from "./http.ts";
import type { PrometheusClient, QueryOptions, QueryResult, Sample } from "./prometheus-client.ts";

/**
 * Most PromQL characters in one batched query: URL-encoded, the request line stays under the 8 KiB
 * that proxies in front of Prometheus commonly accept (nginx's default), and many queries are still
 * spread over a few requests that Prometheus evaluates in parallel.
 */
export const MAX_BATCH_CHARS = 3000;

/** One batched query: its PromQL and the items it was built from, in index order. */
export interface PackedQuery<T> {
  readonly query: string;
  readonly items: readonly T[];
}

/**
 * Packs items into as few queries as fit {@link MAX_BATCH_CHARS}: each item is rendered with its
 * index in its batch and the parts are joined with `or` (an item longer than the limit is a query
 * of its own).
 */
export function packQueries<T>(
  items: readonly T[],
  render: (item: T, index: number) => string,
): PackedQuery<T>[] {
  const batches: PackedQuery<T>[] = [];
  let parts: string[] = [];
  let batch: T[] = [];
  let chars = 0;
  for (const item of items) {
    let part = render(item, batch.length);
    if (batch.length > 0 && chars + OR.length + part.length > MAX_BATCH_CHARS) {
      batches.push({ query: parts.join(OR), items: batch });
      parts = [];
      batch = [];
      chars = 0;
      part = render(item, 0);
    }
    chars += (parts.length > 0 ? OR.length : 0) + part.length;
    parts.push(part);
    batch.push(item);
  }
  if (batch.length > 0) batches.push({ query: parts.join(OR), items: batch });
  return batches;
}

/** The label a batched read puts on each query's samples: the query's index in its batch. */
export const QUERY_LABEL = "operator_query";

/** What one query of a batched read gave: its answer, or what its request threw. */
export type BatchedAnswer = QueryResult | { readonly error: unknown };

/**
 * Runs instant queries in as few requests as fit {@link MAX_BATCH_CHARS}: each query's samples are
 * labelled with its index by `label_replace`, the queries are joined with `or` (so evaluated at one
 * time, `options.time` or Prometheus's now), and the answer is split back by that label, which is
 * then dropped, so every sample reads as its own query's. A batch of one is sent as written. The
 * answers come back in the order of `queries`; each batched answer carries its batch's warnings.
 *
 * A batch whose PromQL Prometheus refuses (`bad_data`, `execution`), or whose answer has a sample
 * that names none of the batch's queries, is asked again one query per request, so that one query's
 * fault stays its own; any other failure (Prometheus down, a timeout) is the error of every query of
 * the batch.
 */
export async function readBatched(
  prometheus: PrometheusClient,
  queries: readonly string[],
  call: CallContext,
  options: QueryOptions = {},
): Promise<BatchedAnswer[]> {
  const answers = new Array<BatchedAnswer>(queries.length);
  const read = async (batch: PackedQuery<number>): Promise<void> => {
    const [only] = batch.items;
    if (batch.items.length === 1 && only !== undefined) {
      const query = queries[only] as string;
      answers[only] = await prometheus.query(query, call, options).catch((error: unknown) => ({ error }));
      return;
    }
    let split: Sample[][] | undefined;
    let warnings: readonly string[] = [];
    try {
      const answer = await prometheus.query(batch.query, call, options);
      split = _split(answer.samples, batch.items.length);
      warnings = answer.warnings;
    } catch (error) {
      if (!refusedQuery(error)) {
        for (const i of batch.items) answers[i] = { error };
        return;
      }
    }
    if (split === undefined) {
      await Promise.all(batch.items.map((i) => read({ query: queries[i] as string, items: [i] })));
      return;
    }
    batch.items.forEach((i, index) => {
      answers[i] = { query: queries[i] as string, samples: split[index] ?? [], warnings };
    });
  };
  await Promise.all(batchedRequests(queries).map(read));
  return answers;
}

/**
 * The requests {@link readBatched} makes for `queries` when Prometheus answers each: the batched
 * PromQL of each and the indexes of the queries it holds.
 */
export function batchedRequests(queries: readonly string[]): PackedQuery<number>[] {
  const indexes = queries.map((_, i) => i);
  return packQueries(indexes, (i, index) => _labelled(queries[i] as string, index));
}

/** Prometheus answered that it cannot evaluate the query (`bad_data`, `execution`): not transient. */
export function refusedQuery(error: unknown): boolean {
  return (
    error instanceof PrometheusError && (error.errorType === "bad_data" || error.errorType === "execution")
  );
}

// --- Internal helpers ---

const OR = " or ";

function _labelled(query: string, index: number): string {
  return `label_replace(${query}, "${QUERY_LABEL}", "${index}", "", "")`;
}

/**
 * The samples of each query of a batch of `count`, without the batch's label; `undefined` when a
 * sample does not name one of the batch's queries: the answer is not what was asked.
 */
function _split(samples: readonly Sample[], count: number): Sample[][] | undefined {
  const split: Sample[][] = Array.from({ length: count }, () => []);
  for (const sample of samples) {
    const { [QUERY_LABEL]: label = "", ...labels } = sample.labels;
    const index = /^\d{1,4}$/.test(label) ? Number(label) : Number.NaN;
    if (!(index < count)) return undefined;
    split[index]?.push({ labels, value: sample.value, timestamp: sample.timestamp });
  }
  return split;
}
