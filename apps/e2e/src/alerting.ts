import { writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Names of the Prometheus alerting rules that mirror the monitor's invariants. */
export const ALERT_NAMES = {
  store_down: "TiKVStoreDown",
  high_latency: "TiKVHighLatency",
  low_disk_space: "TiKVLowDiskSpace",
} as const;

/** The invariants that have a Prometheus twin. */
export type ComparedInvariant = keyof typeof ALERT_NAMES;

/**
 * The compared invariants the monitor, like its twin rule, reads from Prometheus's samples (store_down
 * it reads from PD's store state): for these, both sides wait for the same scrape.
 */
export const SCRAPED_INVARIANTS: ReadonlySet<ComparedInvariant> = new Set(["high_latency", "low_disk_space"]);

/** Thresholds and grace periods, the same on both sides. */
export interface AlertRuleOptions {
  /** `rate()` range of the latency query (the tikv plugin's `rateWindow`). */
  readonly rateWindow: string;
  /** `for` of the latency rule: the monitor's high_latency grace period. */
  readonly latencyForMs: number;
  /** `for` of the target-down rule: PD's disconnect time in real time, the monitor's effective grace. */
  readonly storeDownForMs: number;
  /** @default 0.1 (the monitor's `p99Seconds`) */
  readonly latencyThresholdSeconds?: number;
  /** @default 0.7 (the monitor's `usedRatio`) */
  readonly diskUsedRatio?: number;
  /** @default "tikv" */
  readonly job?: string;
}

/** The PromQL of each rule, for the comparison table. */
export function alertExpressions(options: AlertRuleOptions): Readonly<Record<ComparedInvariant, string>> {
  const job = options.job ?? "tikv";
  const p99 = options.latencyThresholdSeconds ?? 0.1;
  const used = options.diskUsedRatio ?? 0.7;
  return {
    store_down: `up{job="${job}"} == 0`,
    high_latency: `histogram_quantile(0.99, sum(rate(tikv_grpc_msg_duration_seconds_bucket{type!="kv_gc"}[${options.rateWindow}])) by (le, instance)) > ${p99}`,
    low_disk_space: `1 - sum(tikv_store_size_bytes{type="available"}) by (instance) / sum(tikv_store_size_bytes{type="capacity"}) by (instance) > ${used}`,
  };
}

/**
 * A Prometheus rule file with one alerting rule per compared invariant: the same expression shape,
 * threshold and `for` as the monitor uses, so the two can be run side by side on the same targets.
 */
export function alertingRules(options: AlertRuleOptions): string {
  const exprs = alertExpressions(options);
  const forOf: Record<ComparedInvariant, number> = {
    store_down: options.storeDownForMs,
    high_latency: options.latencyForMs,
    low_disk_space: 0,
  };
  const lines = ["groups:", "  - name: operator-equivalents", "    rules:"];
  for (const invariant of Object.keys(ALERT_NAMES) as ComparedInvariant[]) {
    lines.push(
      `      - alert: ${ALERT_NAMES[invariant]}`,
      `        expr: ${JSON.stringify(exprs[invariant])}`,
      `        for: ${Math.round(forOf[invariant])}ms`,
      "        labels:",
      `          invariant: ${invariant}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Writes {@link alertingRules} to `dir/operator-equivalents.rules.yml` and returns the path. */
export async function writeAlertingRules(dir: string, options: AlertRuleOptions): Promise<string> {
  const path = join(dir, "operator-equivalents.rules.yml");
  await writeFile(path, alertingRules(options));
  return path;
}

/** One alert as `GET /api/v1/alerts` lists it. */
export interface PrometheusAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: "pending" | "firing" | "inactive";
  readonly activeAt?: string;
}

/** Reads `GET /api/v1/alerts`; throws when Prometheus does not answer with a list. */
export async function fetchAlerts(prometheusUrl: string, timeoutMs = 2_000): Promise<PrometheusAlert[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json()) as { status?: string; data?: { alerts?: PrometheusAlert[] } };
  if (body.status !== "success" || !Array.isArray(body.data?.alerts)) {
    throw new Error(`Prometheus /api/v1/alerts answered ${res.status} without a list of alerts`);
  }
  return body.data.alerts;
}
