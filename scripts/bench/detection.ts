import {
  ALERT_POLL_MS,
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
      "Scrape that showed it after; each side's wait from it to its first look (Operator / Prometheus)",
      "Detected after, less that wait (Operator / Prometheus)",
      "False resolves (Operator / Prometheus; allowed)",
      "Runs (Operator later in)",
      "Verdict",
    ],
    rows: summaries.map(
      ({ rows, ours, theirs, oursLessWait, theirsLessWait, falseOurs, falseTheirs, allowed, verdict }) => [
        `${rows[0]?.scenario}: ${rows[0]?.title ?? ""}`,
        seconds(ours),
        seconds(theirs),
        ours !== null && theirs !== null && theirs > 0 ? `${num(ours / theirs, 2)}×` : "—",
        `${seconds(medianOf(rows, "operator", firstSeenMs))} / ${seconds(medianOf(rows, "prometheus", firstSeenMs))}`,
        `${seconds(medianOf(rows, "operator", reactionMs), 2)} / ${seconds(medianOf(rows, "prometheus", reactionMs), 2)}`,
        scrapeText(rows),
        pairText(oursLessWait, theirsLessWait, 2),
        `${falseOurs} / ${falseTheirs}; ${allowed}`,
        `${rows.length} (${laterIn(rows)})`,
        verdictOf(verdict),
      ],
    ),
  };
  const targets: TargetCheck[] = summaries.map(({ rows, ours, theirs, falseOurs, allowed, verdict }) => ({
    measure: `Detection, ${rows[0]?.scenario}`,
    target: `not later than Prometheus, or later only by the phase of its cycle (met: sampling, see below); ${allowedText(allowed)}`,
    measured: `${seconds(ours)} vs ${seconds(theirs)}${verdict === "sampling" ? " (sampling)" : ""}; ${falseOurs} false resolves`,
    met: verdict !== "missed",
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
      "or `met: sampling` where it is later but, once each side's wait after the scrape that showed the fault " +
      `is taken out (below), within one alert poll (${ALERT_POLL_MS} ms, the resolution of Prometheus's figure) of Prometheus's, ` +
      "and Operator resolved no more often while the fault lasted than the semantics " +
      "allow (none, but for a flapping store: rule 5 trips flap detection at the third opening, after two resolves " +
      "per run). " +
      "Where the two differ, the next two columns split each side's detection in two: when it first saw the " +
      "fault (the ticket's `firstSeenAt`, the start of the first cycle that read it; the alert's `activeAt`, " +
      "the first rule evaluation that saw it), and from there to the ticket or the firing alert, which is the " +
      "`for` plus, for Operator, the rest of that cycle's reads and, for Prometheus, up to one poll. Each side " +
      "looks on its own fixed schedule, so the first part is the phase of the two schedules against the " +
      "scrape that brought the fault, which neither side sets. Where both sides read that scrape (latency and " +
      "disk, not a store's state, which the monitor reads from PD), the next column finds it: the first scrape " +
      "of the faulty store after the injection at whose timestamp the rule's expression holds; then how long " +
      "each side waited from it to its first look (the monitor's next cycle, Prometheus's next rule " +
      "evaluation), and each side's detection less that wait: the time it would have taken had it looked right " +
      "after the scrape. What is left is the `for` and, for Operator, its cycle's own reads of PD and " +
      "Prometheus before it decides (tens of milliseconds at 3 stores), which Prometheus's in-process rule " +
      "evaluation does not pay; for Prometheus, up to one poll. The runs in which Operator was later are counted.",
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

/**
 * A scenario's verdict: `met` when Operator's median detection is no later than Prometheus's (or
 * Prometheus never detected); `sampling` when it is later, but once each side's wait from the scrape
 * that showed the fault to its own next look is taken out (the phase of two fixed schedules against
 * that scrape, which neither side sets), within one alert poll of Prometheus (the resolution of
 * Prometheus's figure); otherwise, or when Operator resolved more often while the fault lasted than
 * the scenario allows in any run, `missed`.
 */
type Verdict = "met" | "sampling" | "missed";

/** One scenario over the runs: median detections, false resolves summed, and the verdict. */
function summaryOf(rows: readonly ComparisonRow[]) {
  const ours = medianOf(rows, "operator", detectMs);
  const theirs = medianOf(rows, "prometheus", detectMs);
  const oursLessWait = medianOf(rows, "operator", lessWaitMs);
  const theirsLessWait = medianOf(rows, "prometheus", lessWaitMs);
  const resolvedWithin = rows.every((r) => r.operator.falseResolves <= r.allowedFalseResolves);
  let verdict: Verdict = "missed";
  if (ours !== null && resolvedWithin) {
    if (theirs === null || ours <= theirs) verdict = "met";
    else if (
      oursLessWait !== null &&
      theirsLessWait !== null &&
      oursLessWait <= theirsLessWait + ALERT_POLL_MS
    ) {
      verdict = "sampling";
    }
  }
  return {
    rows,
    ours,
    theirs,
    oursLessWait,
    theirsLessWait,
    falseOurs: rows.reduce((n, r) => n + r.operator.falseResolves, 0),
    falseTheirs: rows.reduce((n, r) => n + r.prometheus.falseResolves, 0),
    allowed: rows.reduce((n, r) => n + r.allowedFalseResolves, 0),
    verdict,
  };
}

function verdictOf(verdict: Verdict): string {
  if (verdict === "sampling") return "met: sampling";
  return verdict === "met" ? "met" : "**MISSED**";
}

const detectMs = (side: SideResult): number | null => side.detectMs;
const firstSeenMs = (side: SideResult): number | null => side.firstSeenMs;
/** From the first evaluation that saw the fault to the ticket or the firing alert. */
const reactionMs = (side: SideResult): number | null =>
  side.detectMs !== null && side.firstSeenMs !== null ? side.detectMs - side.firstSeenMs : null;
/** From the scrape that showed the fault to the side's first look at it. */
const waitMs = (side: SideResult, row: ComparisonRow): number | null =>
  side.firstSeenMs !== null && row.scrapedMs !== null ? side.firstSeenMs - row.scrapedMs : null;
/** The detection as if the side had looked right after the scrape that showed the fault. */
const lessWaitMs = (side: SideResult, row: ComparisonRow): number | null => {
  const wait = waitMs(side, row);
  return side.detectMs !== null && wait !== null ? side.detectMs - wait : null;
};

/** Median of one measure of one side over the runs, or `null` if that side lacks it in any run. */
function medianOf(
  rows: readonly ComparisonRow[],
  side: "operator" | "prometheus",
  measure: (side: SideResult, row: ComparisonRow) => number | null,
): number | null {
  const values = rows.map((r) => measure(r[side], r)).filter((ms): ms is number => ms !== null);
  return values.length === rows.length && values.length > 0 ? summarize(values).median : null;
}

/** The scrape that showed the fault and each side's wait after it, or why there is none. */
function scrapeText(rows: readonly ComparisonRow[]): string {
  const scraped = rows.map((r) => r.scrapedMs).filter((ms): ms is number => ms !== null);
  if (scraped.length === 0) return "— (read from PD)";
  if (scraped.length < rows.length) return `not found in ${rows.length - scraped.length} run(s)`;
  const wait = (side: "operator" | "prometheus") => medianOf(rows, side, waitMs);
  return `${seconds(summarize(scraped).median)}; ${pairText(wait("operator"), wait("prometheus"))}`;
}

function pairText(ours: number | null, theirs: number | null, digits = 1): string {
  return ours === null || theirs === null ? "—" : `${seconds(ours, digits)} / ${seconds(theirs, digits)}`;
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
