import {
  type ComparisonResult,
  type ComparisonRow,
  formatComparisonTable,
  runDetectionComparison,
  type SideResult,
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
        await runDetectionComparison({
          phase: phaseOfRun(i, options.runs),
          log: (line) => process.stderr.write(`[bench] ${line}\n`),
        }),
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
  const summaries = last.rows.map((row) =>
    summaryOf(results.flatMap((r) => r.rows.filter((other) => other.scenario === row.scenario))),
  );
  const table: Table = {
    columns: [
      "Scenario",
      "Operator: detected after",
      "Prometheus: detected after",
      "Ratio (Operator / Prometheus)",
      "First saw it after (Operator / Prometheus)",
      "Then detected after (Operator / Prometheus)",
      "False resolves (Operator / Prometheus; allowed)",
      "Runs (Operator later in)",
      "Verdict",
    ],
    rows: summaries.map(({ rows, ours, theirs, falseOurs, falseTheirs, allowed, met }) => [
      `${rows[0]?.scenario}: ${rows[0]?.title ?? ""}`,
      seconds(ours),
      seconds(theirs),
      ours !== null && theirs !== null && theirs > 0 ? `${num(ours / theirs, 2)}×` : "—",
      `${seconds(medianOf(rows, "operator", firstSeenMs))} / ${seconds(medianOf(rows, "prometheus", firstSeenMs))}`,
      `${seconds(medianOf(rows, "operator", reactionMs), 2)} / ${seconds(medianOf(rows, "prometheus", reactionMs), 2)}`,
      `${falseOurs} / ${falseTheirs}; ${allowed}`,
      `${rows.length} (${laterIn(rows)})`,
      met ? "met" : "**MISSED**",
    ]),
  };
  const targets: TargetCheck[] = summaries.map(({ rows, ours, theirs, falseOurs, allowed, met }) => ({
    measure: `Detection, ${rows[0]?.scenario}`,
    target: `not later than Prometheus; ${allowedText(allowed)}`,
    measured: `${seconds(ours)} vs ${seconds(theirs)}; ${falseOurs} false resolves`,
    met,
  }));
  return {
    ...base,
    method:
      `apps/e2e's detection comparison (\`runDetectionComparison\`), ${results.length} complete run(s): the built ` +
      "`operator` daemon and Prometheus's own alerting rules watch the same simulated cluster through the same " +
      "Prometheus, and each fault is injected once per run at a set moment of the monitor's cycle, another " +
      "in each run so that the runs spread evenly over the cycle " +
      `(${results.map((r) => `${Math.round((r.settings.phase ?? 0) * 100)} %`).join(", ")} of the interval after a cycle started): ` +
      "a real fault strikes at any moment of a cycle, and one injected right after every cycle would always meet " +
      "the monitor's longest wait. Detection times are medians over the runs (a side " +
      "that missed a fault in any run shows `not detected`); false resolves are summed over the runs. Verdict " +
      "per scenario: Operator's median detection is no later than Prometheus's (or Prometheus never detected), " +
      "and Operator resolved no more often while the fault lasted than the semantics allow (none, but for a " +
      "flapping store: rule 5 trips flap detection at the third opening, after two resolves per run). " +
      "Where the two differ, the next two columns split each side's detection in two: when it first saw the " +
      "fault (the ticket's `firstSeenAt`, the start of the first cycle that read it; the alert's `activeAt`, " +
      "the first rule evaluation that saw it), and from there to the ticket or the firing alert, which is the " +
      "`for` plus, for Operator, the rest of that cycle's reads and, for Prometheus, up to one poll. Each side " +
      "looks on its own fixed schedule, so the first part is the phase of the two schedules against the " +
      "scrape that brought the fault, which neither side sets. The runs in which Operator was later are counted.",
    tables: [table],
    targets,
    notes,
    appendix: [`### Last run in detail\n\n${formatComparisonTable(last).trim()}`],
  };
}

/** Run `i` of `runs` injects at the middle of the `i`th equal slice of the monitor's cycle. */
function phaseOfRun(i: number, runs: number): number {
  return (i + 0.5) / runs;
}

/** One scenario over the runs: median detections, false resolves summed, and the verdict. */
function summaryOf(rows: readonly ComparisonRow[]) {
  const ours = medianOf(rows, "operator", detectMs);
  const theirs = medianOf(rows, "prometheus", detectMs);
  return {
    rows,
    ours,
    theirs,
    falseOurs: rows.reduce((n, r) => n + r.operator.falseResolves, 0),
    falseTheirs: rows.reduce((n, r) => n + r.prometheus.falseResolves, 0),
    allowed: rows.reduce((n, r) => n + r.allowedFalseResolves, 0),
    // Operator's median detection is no later than Prometheus's (or Prometheus never detected), and
    // in no run did it resolve more often while the fault lasted than the scenario allows.
    met:
      ours !== null &&
      (theirs === null || ours <= theirs) &&
      rows.every((r) => r.operator.falseResolves <= r.allowedFalseResolves),
  };
}

const detectMs = (side: SideResult): number | null => side.detectMs;
const firstSeenMs = (side: SideResult): number | null => side.firstSeenMs;
/** From the first evaluation that saw the fault to the ticket or the firing alert. */
const reactionMs = (side: SideResult): number | null =>
  side.detectMs !== null && side.firstSeenMs !== null ? side.detectMs - side.firstSeenMs : null;

/** Median of one measure of one side over the runs, or `null` if that side lacks it in any run. */
function medianOf(
  rows: readonly ComparisonRow[],
  side: "operator" | "prometheus",
  measure: (side: SideResult) => number | null,
): number | null {
  const values = rows.map((r) => measure(r[side])).filter((ms): ms is number => ms !== null);
  return values.length === rows.length && values.length > 0 ? summarize(values).median : null;
}

function allowedText(allowed: number): string {
  return allowed === 0 ? "0 false resolves" : `at most ${allowed} false resolves (rule 5, over the runs)`;
}

/** Runs in which Operator detected later than Prometheus, or not at all while Prometheus did. */
function laterIn(rows: readonly ComparisonRow[]): number {
  return rows.filter((r) => {
    const ours = r.operator.detectMs;
    const theirs = r.prometheus.detectMs;
    return theirs !== null && (ours === null || ours > theirs);
  }).length;
}

function seconds(ms: number | null, digits = 1): string {
  return ms === null ? "not detected" : `${num(ms / 1000, digits)} s`;
}
