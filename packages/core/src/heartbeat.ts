import type { CycleReport } from "./monitor.ts";

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/**
 * The heartbeat line of a cycle:
 * `Check complete: 3 invariants, all passing (12ms)`,
 * `Check complete: 3 invariants, 2 violations (1 new, 1 resolved) (40ms)`,
 * `Check complete: 7 invariants, 1 violation, 4 unknown (1 new) (31ms)`,
 * `Check complete: 2 invariants, 0 violations, 2 unknown (8ms)`.
 * "all passing" means no violation and no unknown result; the parenthesis lists tickets opened
 * (`new`) and resolved this cycle, when there are any; the duration comes last.
 */
export function formatHeartbeat(
  report: Pick<CycleReport, "invariants" | "violations" | "unknown" | "opened" | "resolved" | "durationMs">,
): string {
  const parts = [plural(report.invariants, "invariant")];
  if (report.violations === 0 && report.unknown === 0) parts.push("all passing");
  else {
    parts.push(plural(report.violations, "violation"));
    if (report.unknown > 0) parts.push(`${report.unknown} unknown`);
  }
  const changes = [
    ...(report.opened.length ? [`${report.opened.length} new`] : []),
    ...(report.resolved.length ? [`${report.resolved.length} resolved`] : []),
  ];
  const tickets = changes.length ? ` (${changes.join(", ")})` : "";
  return `Check complete: ${parts.join(", ")}${tickets} (${Math.round(report.durationMs)}ms)`;
}
