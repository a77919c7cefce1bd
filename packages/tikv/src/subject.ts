import {
  applyOverrides,
  ConfigError,
  type Invariant,
  type InvariantOverrides,
  type Subject,
  type SubjectFactory,
} from "@operator/core";
import type { SecretValue, TlsOptions } from "@operator/subject-kit";
import { PREFIX } from "./errors.ts";
import type { RequestEvent } from "./http.ts";
import { TIKV_INVARIANTS } from "./invariants/index.ts";
import { isMetricInvariant } from "./invariants/metric-invariant.ts";
import { PD_LEADER_CHANGES, PD_MEMBER_INVARIANTS, PD_METRIC_OF } from "./invariants/pd-invariants.ts";
import type { TikvObservation } from "./observation.ts";
import { createCollector } from "./observe.ts";
import { resolveOptions } from "./options.ts";
import { createPdClient } from "./pd-client.ts";
import { buildPdQueries, createPdReader, type PdMetricName } from "./pd-health.ts";
import { createPrometheusClient } from "./prometheus-client.ts";
import { collectHolds, collectQueries } from "./queries.ts";
import { observedSources } from "./sources.ts";

/** The kind of system this plugin watches. */
export const SUBJECT_KIND = "tikv";

/** Options of {@link tikvSubject}: one TiKV cluster, read through PD and (optionally) Prometheus. */
export interface TikvOptions {
  /** Your name for the cluster (`prod-tikv`), the first part of every violation key. */
  name: string;
  /**
   * PD's client URL, e.g. `http://10.0.1.10:2379` (`/pd/api/v1` is added), or the URLs of several PD
   * members: each request then goes to the member that answered last and moves on to the next one
   * when a member cannot be reached, times out, answers 5xx, a body over the cap or a cross-origin
   * redirect.
   */
  pdUrl: string | string[];
  /**
   * Prometheus scraping the cluster's TiKV status ports (`instance` = status address), e.g.
   * `http://10.0.1.20:9090`. Without it the metric invariants (`METRIC_INVARIANTS`) are left out and
   * only the PD invariants (store_down, region_health) run.
   * @default undefined
   */
  prometheusUrl?: string;
  /** Budget of one request attempt in ms, body included; the cycle's deadline caps it. @default 5000 */
  timeoutMs?: number;
  /** Extra attempts for timeouts, refused connections and 5xx (GETs only, never past the deadline). @default 1 */
  retries?: number;
  /** Range of `rate()` in the metric queries (PromQL duration). @default "1m" */
  rateWindow?: string;
  /** Range of the leader-count `delta()` of leader_drop (PromQL duration). @default "30s" */
  leaderDropWindow?: string;
  /** How to reach Prometheus. Use either `bearerToken` or `basicAuth`. @default {} */
  prometheus?: {
    /** Extra headers, e.g. `X-Scope-OrgID` for a multi-tenant Prometheus. */
    headers?: Record<string, SecretValue>;
    /** Sent as `Authorization: Bearer <token>`. */
    bearerToken?: SecretValue;
    /** Sent as `Authorization: Basic ...`. */
    basicAuth?: { username: string; password: SecretValue };
    /** CA, client certificate and key for an `https://` Prometheus. */
    tls?: TlsOptions;
    /**
     * Largest Prometheus answer read, in bytes after decompression (1 KiB to 1 GiB); a larger one
     * is refused unread and its query is `unknown`. @default 33554432 (32 MiB)
     */
    maxBodyBytes?: number;
  };
  /** How to reach PD. Use either `bearerToken` or `basicAuth`. @default {} */
  pd?: {
    /** Extra headers sent to PD. */
    headers?: Record<string, SecretValue>;
    /** Sent as `Authorization: Bearer <token>`. */
    bearerToken?: SecretValue;
    /** Sent as `Authorization: Basic ...`. */
    basicAuth?: { username: string; password: SecretValue };
    /**
     * CA, client certificate and key for `https://` PD URLs, e.g.
     * `{ caFile: "/etc/pd/ca.pem", certFile: "/etc/pd/client.pem", keyFile: "/etc/pd/client-key.pem" }`
     * for a cluster started with `cert-allowed-cn`/client certificates.
     */
    tls?: TlsOptions;
    /**
     * Largest PD answer read, in bytes after decompression (1 KiB to 1 GiB); a larger one is refused
     * unread and the cycle's PD reads are `unknown`. PD's `/stores` for 5,000 stores is about 6 MB.
     * @default 33554432 (32 MiB)
     */
    maxBodyBytes?: number;
  };
  /**
   * Per-invariant overrides: `enabled`, `severity`, `for`, `clear`, `thresholds`, e.g.
   * `{ high_latency: { thresholds: { p99Seconds: 0.2 }, for: "2m" } }`.
   * @default {}
   */
  invariants?: InvariantOverrides;
  /** Called before every HTTP request attempt (to count requests per cycle). @default undefined */
  onRequest?: (event: RequestEvent) => void;
}

/** Running totals of a {@link TikvSubject}. */
export interface TikvStats {
  /** Completed `observe` calls (successful or not). */
  readonly observations: number;
  /** Request attempts so far, per server. */
  readonly requests: { readonly pd: number; readonly prometheus: number };
}

/** A TiKV subject: the core contract plus running request totals. */
export interface TikvSubject extends Subject<TikvObservation> {
  /** Running totals, e.g. for a benchmark that counts requests per cycle. */
  readonly stats: TikvStats;
}

/**
 * Builds the subject for one TiKV cluster. Options are checked at once: a missing or malformed
 * option throws a `ConfigError` naming it. Each `observe` makes 8 PD requests (6 without the PD
 * member invariants) and one per distinct metric query, whatever the number of stores. `sources` reports Prometheus and PD's region checks; `identity` is
 * PD's cluster id, read every cycle.
 * @example
 * tikvSubject({ name: "prod-tikv", pdUrl: "http://pd:2379", prometheusUrl: "http://prom:9090" })
 */
export const tikvSubject = ((input: TikvOptions): TikvSubject => {
  const options = resolveOptions(input);
  const invariants = _invariants(options.invariants, options.name, options.prometheusUrl !== undefined);
  const totals = { observations: 0, requests: { pd: 0, prometheus: 0 } };
  const onRequest = (event: RequestEvent) => {
    totals.requests[event.source] += 1;
    options.onRequest?.(event);
  };
  const client = { timeoutMs: options.timeoutMs, retries: options.retries, onRequest };
  const pd = createPdClient({
    url: options.pdUrls,
    headers: options.pdHeaders,
    tls: options.pdTls,
    maxBodyBytes: options.pdMaxBodyBytes,
    ...client,
  });
  const prometheus = options.prometheusUrl
    ? createPrometheusClient({
        url: options.prometheusUrl,
        headers: options.prometheusHeaders,
        tls: options.prometheusTls,
        maxBodyBytes: options.prometheusMaxBodyBytes,
        ...client,
      })
    : undefined;
  const queries = collectQueries(invariants, options);
  const holds = collectHolds(invariants, options);
  const readPd = _needsPdMembers(invariants)
    ? createPdReader({
        pd,
        prometheus,
        queries: _pdQueriesFor(invariants, buildPdQueries(options.rateWindow, _leaderWindow(invariants))),
      })
    : undefined;
  const collect = createCollector({ pd, prometheus, queries, holds, readPd });
  return {
    name: options.name,
    kind: SUBJECT_KIND,
    invariants,
    get stats(): TikvStats {
      return { observations: totals.observations, requests: { ...totals.requests } };
    },
    async observe(context) {
      try {
        return await collect(context);
      } finally {
        totals.observations += 1;
      }
    },
    sources: observedSources,
    identity: (observation) => observation.clusterId,
  };
}) satisfies SubjectFactory<TikvOptions, TikvObservation>;

// --- Internal helpers ---

/** Applies overrides; without Prometheus, drops the metric invariants (refusing one explicitly enabled). */
function _invariants(
  overrides: InvariantOverrides | undefined,
  subject: string,
  hasPrometheus: boolean,
): Invariant<TikvObservation>[] {
  const all = applyOverrides(TIKV_INVARIANTS, overrides, subject);
  if (hasPrometheus) return all;
  for (const invariant of all) {
    const readsPrometheus = isMetricInvariant(invariant) || invariant.name in PD_METRIC_OF;
    if (readsPrometheus && overrides?.[invariant.name]?.enabled === true) {
      throw new ConfigError(
        `${PREFIX} Invariant \`${invariant.name}\` reads Prometheus: set option \`prometheusUrl\``,
      );
    }
  }
  return all.filter((invariant) => !isMetricInvariant(invariant) && !(invariant.name in PD_METRIC_OF));
}

/** True when an enabled invariant needs PD's `/health` and `/members`. */
function _needsPdMembers(invariants: readonly Invariant<TikvObservation>[]): boolean {
  return invariants.some(
    (invariant) => invariant.defaults.enabled && PD_MEMBER_INVARIANTS.includes(invariant.name),
  );
}

/** The window of pd_leader_changes (seconds), as configured: its query is built with it. */
function _leaderWindow(invariants: readonly Invariant<TikvObservation>[]): number {
  const window = invariants.find((invariant) => invariant.name === PD_LEADER_CHANGES)?.defaults.thresholds
    .windowSeconds;
  return window !== undefined && window > 0 ? window : 600;
}

/** The PD metric queries the enabled invariants need. */
function _pdQueriesFor(
  invariants: readonly Invariant<TikvObservation>[],
  all: Readonly<Record<PdMetricName, string>>,
): Partial<Record<PdMetricName, string>> {
  const queries: Partial<Record<PdMetricName, string>> = {};
  for (const invariant of invariants) {
    const metric = PD_METRIC_OF[invariant.name];
    if (metric && invariant.defaults.enabled) queries[metric] = all[metric];
  }
  return queries;
}
