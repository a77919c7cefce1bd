import { z } from "zod";
import { parseJson, type RequestContext, request } from "./http.ts";
import type { Derived, LatencyWindow, LeaderChangeWindow } from "./observation.ts";

/** Range of Prometheus's `rate()` behind the latency percentiles. */
export const PROMETHEUS_LATENCY_RANGE_MS = 300_000;

/** Cross-cycle values per endpoint, read from Prometheus. */
export interface PrometheusWindows {
  /** The values for one configured endpoint; `undefined` when Prometheus has no series for it. */
  get(endpoint: string): PrometheusWindow | undefined;
  /** Why Prometheus could not be read, when it could not. */
  readonly error?: string;
  /** True when the reads were cancelled (shutdown): Prometheus was not judged this cycle. */
  readonly aborted?: boolean;
}

/** What Prometheus says about one member. A missing field falls back to the member's own history. */
export interface PrometheusWindow {
  readonly leaderChanges?: Derived<LeaderChangeWindow>;
  readonly walFsync?: Derived<LatencyWindow>;
  readonly backendCommit?: Derived<LatencyWindow>;
}

/**
 * Builds a reader that asks Prometheus for `increase()` of the leader-change counter over the
 * leader-change window and for `histogram_quantile(0.99, ...)` of WAL fsync and backend commit over
 * 5 minutes. Series are matched to endpoints by their `instance` label: `host:port` of the endpoint,
 * else the same host when only one instance has it (etcd's metrics are often scraped on a separate
 * `--listen-metrics-urls` port).
 */
export function createPrometheusReader(
  prometheusUrl: string,
  leaderChangeWindowMs: number,
): (endpoints: readonly string[], context: RequestContext) => Promise<PrometheusWindows> {
  const windowSeconds = Math.max(1, Math.round(leaderChangeWindowMs / 1000));
  const rangeSeconds = PROMETHEUS_LATENCY_RANGE_MS / 1000;
  const quantile = (metric: string): string =>
    `histogram_quantile(0.99, sum by (instance, le) (rate(${metric}_bucket[${rangeSeconds}s])))`;
  return async (endpoints, context) => {
    const query = (promql: string) => _query(prometheusUrl, promql, context);
    const [changes, wal, commit] = await Promise.all([
      query(`max by (instance) (increase(etcd_server_leader_changes_seen_total[${windowSeconds}s]))`),
      query(quantile("etcd_disk_wal_fsync_duration_seconds")),
      query(quantile("etcd_disk_backend_commit_duration_seconds")),
    ]);
    const byEndpoint = new Map<string, PrometheusWindow>();
    for (const endpoint of endpoints) {
      const change = _match(changes, endpoint);
      const walP99 = _match(wal, endpoint);
      const commitP99 = _match(commit, endpoint);
      byEndpoint.set(endpoint, {
        ...(change === undefined
          ? {}
          : {
              leaderChanges: {
                increase: Math.round(change),
                windowMs: windowSeconds * 1000,
                coveredMs: windowSeconds * 1000,
                source: "prometheus",
              },
            }),
        ...(walP99 === undefined ? {} : { walFsync: _latency(walP99, rangeSeconds) }),
        ...(commitP99 === undefined ? {} : { backendCommit: _latency(commitP99, rangeSeconds) }),
      });
    }
    return { get: (endpoint) => byEndpoint.get(endpoint) };
  };
}

// --- Internal helpers ---

const VECTOR = z.object({
  status: z.literal("success"),
  data: z.object({
    resultType: z.literal("vector"),
    result: z.array(
      z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }),
    ),
  }),
});

type Vector = Map<string, number>;

async function _query(base: string, promql: string, context: RequestContext): Promise<Vector> {
  const url = `${base}/api/v1/query?query=${encodeURIComponent(promql)}`;
  const body = parseJson(url, (await request("GET", url, context)).text, VECTOR, context.redact);
  const vector: Vector = new Map();
  for (const sample of body.data.result) {
    const instance = sample.metric.instance;
    if (instance !== undefined) vector.set(instance, Number(sample.value[1]));
  }
  return vector;
}

function _match(vector: Vector, endpoint: string): number | undefined {
  const { host, hostname } = new URL(endpoint);
  if (vector.has(host)) return vector.get(host);
  const sameHost = [...vector.keys()].filter((instance) => instance.replace(/:\d+$/, "") === hostname);
  return sameHost.length === 1 ? vector.get(sameHost[0] as string) : undefined;
}

function _latency(p99: number, rangeSeconds: number): Derived<LatencyWindow> {
  return {
    p99Seconds: Number.isNaN(p99) ? null : p99,
    operations: null,
    windowMs: rangeSeconds * 1000,
    source: "prometheus",
  };
}
