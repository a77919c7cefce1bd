import { alertExpressions } from "./alerting.ts";
import { ALERT_POLL_MS, type ComparisonResult, type SideResult } from "./comparison.ts";

/**
 * The comparison as a markdown section: how it was measured, then one row per scenario with each
 * side's time to detect and its resolves while the fault lasted.
 */
export function formatComparisonTable(result: ComparisonResult): string {
  const { settings, rows } = result;
  const exprs = alertExpressions(settings);
  const lines = [
    "Each fault is injected once into a simulated 3-store cluster that one real Prometheus scrapes. The",
    "`operator monitor` daemon (its own SQLite file per scenario) and Prometheus's own alerting rules, loaded",
    "into that same Prometheus with the same thresholds and `for`, watch it side by side.",
    "",
    `- Settings: monitor interval ${settings.intervalMs} ms; scrape and rule evaluation every ${settings.intervalMs} ms;`,
    `  PD's clock ${settings.timeScale}x (its 20 s disconnect takes ${settings.storeDownForMs} ms); rate window ${settings.rateWindow};`,
    `  high_latency \`for\` ${settings.latencyForMs} ms on both sides; each fault injected ${_phase(settings.phase)}.`,
    "- Detected after: from the fault's injection to the ticket's creation (its row's `createdAt`) or to the",
    `  first poll of \`/api/v1/alerts\` (every ${ALERT_POLL_MS} ms) that shows the alert firing. Alertmanager's \`group_wait\``,
    "  (30 s by default) would come on top of Prometheus's figure before anyone is notified. In brackets: when",
    "  that side first saw the fault (the ticket's `firstSeenAt`, the alert's `activeAt`); `for` counts from there.",
    "- False resolves: tickets resolved, or alerts that stopped firing, while the fault was still there.",
    "  Opened: tickets opened, or times the alert started firing, during the fault (each one a notification).",
    "- Prometheus rules:",
    `  - TiKVStoreDown: \`${exprs.store_down}\` for ${settings.storeDownForMs} ms (PD's disconnect time; the monitor reads PD's store state)`,
    `  - TiKVHighLatency: \`${exprs.high_latency}\` for ${settings.latencyForMs} ms`,
    `  - TiKVLowDiskSpace: \`${exprs.low_disk_space}\` for 0 s`,
    "",
    "| Scenario | Fault | Operator: detected after | Operator: opened / false resolves | Prometheus rule | Prometheus: detected after | Prometheus: opened / false resolves |",
    "|---|---|---:|---:|---|---:|---:|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${row.title} | ${_detected(row.operator)} | ${_counts(row.operator)} | ${row.alert} | ${_detected(row.prometheus)} | ${_counts(row.prometheus)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

// --- Internal helpers ---

function _phase(phase: number | null): string {
  return phase === null
    ? "at a random moment of the monitor's cycle"
    : `${Math.round(phase * 100)} % of the monitor's interval after a cycle started`;
}

function _seconds(ms: number | null): string {
  return ms === null ? "not detected" : `${(ms / 1000).toFixed(1)} s`;
}

function _detected(side: SideResult): string {
  const seen = side.firstSeenMs === null ? "" : ` (saw it at ${_seconds(side.firstSeenMs)})`;
  return `${_seconds(side.detectMs)}${seen}`;
}

function _counts(side: SideResult): string {
  return `${side.opened} / ${side.falseResolves}`;
}
