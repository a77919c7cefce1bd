import { benchStore as measureStore, type StoreBenchRow } from "../../packages/db/bench/store.bench.ts";
import { num, type SectionReport, verdictText } from "./report.ts";

/** How the ticket store section runs. */
export interface StoreOptions {
  readonly quick: boolean;
}

/**
 * The ticket store targets, measured by @operator/db's own benchmark (`packages/db/bench`), which
 * drives the SQLite store directly with the plans a monitor would hand it.
 */
export async function benchStore(options: StoreOptions): Promise<SectionReport> {
  const rows = await measureStore({ quick: options.quick });
  const ms = (value: number): string => `${num(value, 2)} ms`;
  return {
    id: "store",
    title: "The ticket store",
    method:
      "@operator/db's benchmark (`packages/db/bench/store.bench.ts`) in the benchmark process: a SQLite file in a " +
      "temporary directory, the store's recordCycle/listTickets called with what a monitor cycle would pass. " +
      "Wall time per call, median (min–max) over the runs shown; CPU time beside it.",
    tables: [
      {
        columns: ["Measurement", "Wall time", "CPU time", "Runs", "Target", "Verdict"],
        rows: rows.map((r) => [
          r.measurement,
          `${ms(r.medianMs)} (${num(r.minMs, 2)}–${num(r.maxMs, 2)})`,
          ms(r.cpuMedianMs),
          String(r.runs),
          r.target,
          verdictText(r.met),
        ]),
      },
    ],
    targets: rows.filter(isIssueTarget).map((r) => ({
      measure: `Ticket store: ${r.measurement}`,
      target: r.measurement.startsWith("list")
        ? `${r.target} (@operator/db's own; the issue sets none)`
        : r.target,
      measured: ms(r.medianMs),
      met: r.met,
    })),
    notes: [],
  };
}

/** The store's published targets; the other rows are extra listing variants. */
function isIssueTarget(row: StoreBenchRow): boolean {
  return /10,000 violations|1,000 open tickets|^list 100 of 100,000 tickets, newest first/.test(
    row.measurement,
  );
}
