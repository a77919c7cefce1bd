import type { ScrapeTarget } from "../cluster.ts";

/** What goes into the generated prometheus.yml. */
export interface PrometheusConfigOptions {
  readonly targets: readonly ScrapeTarget[];
  /** Scraped as job `pd` (PD's own metrics). @default none */
  readonly pdTargets?: readonly ScrapeTarget[];
  readonly scrapeIntervalMs: number;
  readonly evaluationIntervalMs: number;
  readonly ruleFiles: readonly string[];
  /** @default "tikv" (TiUP's job name) */
  readonly jobName?: string;
}

/**
 * A Prometheus configuration scraping every simulated store. All stores share one listener, so each
 * target sets its own `__metrics_path__` and sets `instance` to the store's fictional status address,
 * the way a real cluster's targets look (`instance == store.status_address`).
 */
export function prometheusConfig(options: PrometheusConfigOptions): string {
  const interval = options.scrapeIntervalMs;
  const timeout = Math.max(100, Math.min(interval - 100, Math.floor(interval * 0.9)));
  const lines = [
    "global:",
    `  scrape_interval: ${interval}ms`,
    `  scrape_timeout: ${timeout}ms`,
    `  evaluation_interval: ${options.evaluationIntervalMs}ms`,
  ];
  if (options.ruleFiles.length > 0) {
    lines.push("rule_files:", ...options.ruleFiles.map((file) => `  - ${yamlString(file)}`));
  }
  lines.push("scrape_configs:", ...job(options.jobName ?? "tikv", options.targets));
  if (options.pdTargets && options.pdTargets.length > 0) lines.push(...job("pd", options.pdTargets));
  return `${lines.join("\n")}\n`;
}

// --- Internal helpers ---

function job(name: string, targets: readonly ScrapeTarget[]): string[] {
  const lines = [`  - job_name: ${yamlString(name)}`, "    honor_labels: true"];
  if (targets.length === 0) return [...lines, "    static_configs: []"];
  lines.push("    static_configs:");
  for (const t of targets) {
    lines.push(
      `      - targets: [${yamlString(t.target)}]`,
      "        labels:",
      `          __metrics_path__: ${yamlString(t.metricsPath)}`,
      `          instance: ${yamlString(t.instance)}`,
    );
  }
  return lines;
}

/** A double-quoted YAML scalar (JSON string syntax is valid YAML). */
function yamlString(value: string): string {
  return JSON.stringify(value);
}
