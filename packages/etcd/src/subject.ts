import {
  applyOverrides,
  ConfigError,
  type Invariant,
  type InvariantOverrides,
  type SubjectFactory,
} from "@operator/core";
import type { SecretValue, TlsOptions } from "@operator/subject-kit";
import {
  dbGrowth,
  ETCD_INVARIANTS,
  grpcFailedRequests,
  leaderChanges,
  proposalsFailed,
} from "./invariants/index.ts";
import type { EtcdObservation } from "./observation.ts";
import { createObserver } from "./observe.ts";
import { resolveOptions } from "./options.ts";
import { createPrometheusReader } from "./prometheus.ts";

/** The `kind` of every subject this plugin builds. */
export const SUBJECT_KIND = "etcd";

/** Options of {@link etcdSubject}, as a config file gives them. */
export interface EtcdOptions {
  /** The subject's name, first part of every violation key, e.g. `prod-etcd`. */
  name: string;
  /**
   * Client URLs of the members to watch, e.g. `["http://10.0.1.5:2379", "http://10.0.1.6:2379"]`.
   * Each is read on its own, so list every member: a member missing here is not checked.
   */
  endpoints: string[];
  /**
   * Timeout of each HTTP request in milliseconds; the cycle's deadline shortens it further.
   * @default 3000
   */
  timeoutMs?: number;
  /**
   * Extra attempts of a GET (`/health`, `/metrics`, Prometheus queries) after a timeout, a refused
   * connection, 408/429 or 5xx; never started past the cycle's deadline. The JSON gateway's POSTs
   * are not retried.
   * @default 1
   */
  retries?: number;
  /**
   * TLS for `https://` endpoints: `ca`/`caFile` (the cluster's CA, e.g. `--trusted-ca-file`),
   * `cert`/`certFile` and `key`/`keyFile` (a client certificate, for members started with
   * `--client-cert-auth`), `serverName` (the name the members' certificates carry, when the
   * endpoints are IP addresses not in them).
   * @default undefined
   */
  tls?: TlsOptions;
  /** TLS for an `https://` Prometheus, like `tls`. @default undefined */
  prometheusTls?: TlsOptions;
  /**
   * Prometheus that scrapes these members. When given, leader changes come from `increase()` over the
   * window and latency percentiles from `histogram_quantile` over 5 minutes, which survive a monitor
   * restart; series it lacks (or a failed query) fall back to the members' own `/metrics`.
   * Without it everything comes from each member's `/metrics`, `/health` and JSON gateway.
   * @default undefined
   */
  prometheusUrl?: string;
  /**
   * Extra HTTP headers on every request to the members and Prometheus, e.g. an `authorization` token.
   * Each value is a secret: the value itself, `{ "$env": "NAME" }` or `{ "$file": "/path" }`.
   * @default {}
   */
  headers?: Record<string, SecretValue>;
  /**
   * Largest answer read from a member, in bytes after decompression (1 KiB to 1 GiB); a larger one
   * is refused unread and that read fails (`invalid_response`).
   * @default 8388608 (8 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Largest answer read from Prometheus, in bytes after decompression (1 KiB to 1 GiB).
   * @default 8388608 (8 MiB)
   */
  prometheusMaxBodyBytes?: number;
  /**
   * Overrides per invariant name, e.g. `{ "backend_quota": { "thresholds": { "ratio": 0.7 } } }`.
   * @default {}
   */
  invariants?: InvariantOverrides;
}

/**
 * Builds a subject that watches one etcd cluster through its members' HTTP endpoints. Throws a
 * `ConfigError` naming the first bad option. `sources` reports the member list and the optional
 * Prometheus; `identity` is etcd's cluster id.
 *
 * @example
 * ```ts
 * import etcd from "@operator/etcd";
 * const subject = etcd({ name: "prod-etcd", endpoints: ["http://10.0.1.5:2379"] });
 * ```
 */
export const etcdSubject: SubjectFactory<EtcdOptions, EtcdObservation> = (options) => {
  const resolved = resolveOptions(options);
  const invariants = applyOverrides(ETCD_INVARIANTS, resolved.invariants, resolved.name);
  const windowMs = (invariant: Invariant<EtcdObservation>, threshold: string): number => {
    const settings = invariants.find((candidate) => candidate.name === invariant.name)?.defaults;
    const seconds = settings?.thresholds[threshold] ?? (invariant.defaults.thresholds[threshold] as number);
    if (!(seconds > 0) || !Number.isFinite(seconds)) {
      throw new ConfigError(
        `[etcd] ${resolved.name}.invariants.${invariant.name}.thresholds.${threshold} must be above 0`,
      );
    }
    return seconds * 1000;
  };
  const leaderChangeWindowMs = windowMs(leaderChanges, "windowSeconds");
  const observe = createObserver(resolved, {
    leaderChangeWindowMs,
    proposalWindowMs: windowMs(proposalsFailed, "windowSeconds"),
    grpcWindowMs: windowMs(grpcFailedRequests, "windowSeconds"),
    growthWindowMs: windowMs(dbGrowth, "windowSeconds"),
    growthHorizonMs: windowMs(dbGrowth, "horizonSeconds"),
    ...(resolved.prometheusUrl
      ? { prometheus: createPrometheusReader(resolved.prometheusUrl, leaderChangeWindowMs) }
      : {}),
  });
  return {
    name: resolved.name,
    kind: SUBJECT_KIND,
    invariants,
    observe,
    sources: (observation) => observation.sources,
    identity: (observation) => observation.clusterId,
  };
};

export default etcdSubject;
