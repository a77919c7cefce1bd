import {
  createPrometheusClient as createKitPrometheusClient,
  DEFAULT_PROMETHEUS_MAX_BODY_BYTES,
  type PrometheusClientOptions as KitPrometheusClientOptions,
  QUERY_ENDPOINT,
  type QueryOptions,
  type QueryResult,
  type Sample,
} from "@operator/subject-kit";
import { PREFIX } from "./errors.ts";
import type { CallContext } from "./http.ts";

export type { QueryOptions, QueryResult, Sample };
export { DEFAULT_PROMETHEUS_MAX_BODY_BYTES, QUERY_ENDPOINT };

/** Settings of {@link createPrometheusClient}: the kit's, without the message label. */
export type PrometheusClientOptions = Omit<KitPrometheusClientOptions, "label">;

/** A client for Prometheus's HTTP query API. */
export interface PrometheusClient {
  /**
   * Runs an instant query. Throws `PrometheusError` when Prometheus cannot be read or answers
   * `status: "error"`, and `ResponseShapeError` for an answer of the wrong shape.
   */
  query(promql: string, context?: CallContext, options?: QueryOptions): Promise<QueryResult>;
}

/** Creates a {@link PrometheusClient} whose messages start with `[operator] [tikv] Prometheus`. */
export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  return createKitPrometheusClient({ ...options, label: `${PREFIX} Prometheus` });
}
