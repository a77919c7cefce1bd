import {
  type ComparisonResult,
  type ComparisonRow,
  formatComparisonTable,
  runDetectionComparison,
} from "../../apps/e2e/src/index.ts";
import { num, type SectionReport, type Table, type TargetCheck } from "./report.ts";
import { summarize } from "./stats.ts";

/** How the detection section runs. */
export interface DetectionOptions {
  /** Complete comparisons (every scenario each time). */
  readonly runs: number;
}

/**
 * Detection latency and false resolves of the real daemon against Prometheus's own alerting rules
 * with the same thresholds and `for`, on the same simulated cluster in the same run (apps/e2e's
 * comparison), repeated `runs` times; medians per scenario.
 */
export async function benchDetection(options: DetectionOptions): Promise<SectionReport> {
  const results: ComparisonResult[] = [];
  const notes: string[] = [];
  for (let i = 0; i < options.runs; i++) {
    process.stderr.write(`[bench] detection: run ${i + 1}/${options.runs}\n`);
    try {
      results.push(
        await runDetectionComparison({ log: (line) => process.stderr.write(`[bench] ${line}\n`) }),
      );
    } catch (error) {
      notes.push(
        `Run ${i + 1} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      );
    }
  }
  const base = {
    id: "detection",
    title: "Detection latency and false resolves: Operator against Prometheus alerting",
  };
  const last = results.at(-1);
  if (!last) {
    return {
      ...base,
      method: "apps/e2e's detection comparison (`runDetectionComparison`).",
      tables: [],
      targets: [
        {
          measure: "Detection: never later than Prometheus, zero false resolves",
          target: "never later; 0 false resolves",
          measured: "not measured in this run",
          met: null,
        },
      ],
      notes,
    };
  }
  const scenarios = last.rows.map((row) => row.scenario);
  const rowsOf = (scenario: string): ComparisonRow[] =>
    results.flatMap((r) => r.rows.filter((row) => row.scenario === scenario));
  const table: Table = {
    columns: [
      "Scenario",
      "Operator: detected after",
      "Prometheus: detected after",
      "Ratio (Operator / Prometheus)",
      "False resolves (Operator / Prometheus)",
      "Runs (Operator later in)",
      "Verdict",
    ],
    rows: scenarios.map((scenario) => {
      const rows = rowsOf(scenario);
      const ours = medianDetect(rows, "operator");
      const theirs = medianDetect(rows, "prometheus");
      const falseOurs = rows.reduce((n, r) => n + r.operator.falseResolves, 0);
      const falseTheirs = rows.reduce((n, r) => n + r.prometheus.falseResolves, 0);
      return [
        `${scenario}: ${rows[0]?.title ?? ""}`,
        seconds(ours),
        seconds(theirs),
        ours !== null && theirs !== null && theirs > 0 ? `${num(ours / theirs, 2)}×` : "—",
        `${falseOurs} / ${falseTheirs}`,
        `${rows.length} (${laterIn(rows)})`,
        verdictOf(rows) ? "met" : "**MISSED**",
      ];
    }),
  };
  const targets: TargetCheck[] = scenarios.map((scenario) => {
    const rows = rowsOf(scenario);
    const ours = medianDetect(rows, "operator");
    const theirs = medianDetect(rows, "prometheus");
    const falseOurs = rows.reduce((n, r) => n + r.operator.falseResolves, 0);
    return {
      measure: `Detection, ${scenario}`,
      target: "not later than Prometheus; 0 false resolves",
      measured: `${seconds(ours)} vs ${seconds(theirs)}; ${falseOurs} false resolves`,
      met: verdictOf(rows),
    };
  });
  return {
    ...base,
    method:
      `apps/e2e's detection comparison (\`runDetectionComparison\`), ${results.length} complete run(s): the built ` +
      "`operator` daemon and Prometheus's own alerting rules watch the same simulated cluster through the same " +
      "Prometheus, and each fault is injected once per run. Detection times are medians over the runs (a side " +
      "that missed a fault in any run shows `not detected`); false resolves are summed over the runs. Verdict " +
      "per scenario: Operator's median detection is no later than Prometheus's (or Prometheus never detected) " +
      "and Operator resolved nothing while the fault lasted; the runs in which Operator was later are counted.",
    tables: [table],
    targets,
    notes,
    appendix: [`### Last run in detail\n\n${formatComparisonTable(last).trim()}`],
  };
}

/**
 * The median detection of Operator is no later than Prometheus's (or Prometheus never detected), and
 * Operator never resolved while the fault lasted.
 */
function verdictOf(rows: readonly ComparisonRow[]): boolean {
  const ours = medianDetect(rows, "operator");
  const theirs = medianDetect(rows, "prometheus");
  return (
    ours !== null && (theirs === null || ours <= theirs) && rows.every((r) => r.operator.falseResolves === 0)
  );
}

/** Median detection time of one side, or `null` if that side missed the fault in any run. */
function medianDetect(rows: readonly ComparisonRow[], side: "operator" | "prometheus"): number | null {
  const detected = rows.map((r) => r[side].detectMs).filter((ms): ms is number => ms !== null);
  return detected.length === rows.length && detected.length > 0 ? summarize(detected).median : null;
}

/** Runs in which Operator detected later than Prometheus, or not at all while Prometheus did. */
function laterIn(rows: readonly ComparisonRow[]): number {
  return rows.filter((r) => {
    const ours = r.operator.detectMs;
    const theirs = r.prometheus.detectMs;
    return theirs !== null && (ours === null || ours > theirs);
  }).length;
}

function seconds(ms: number | null): string {
  return ms === null ? "not detected" : `${num(ms / 1000, 1)} s`;
}
