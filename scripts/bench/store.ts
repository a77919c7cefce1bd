import { benchStore as measureStore, type StoreBenchRow } from "../../packages/db/bench/store.bench.ts";
import { benchPostgresStore, type PostgresBenchRow } from "../../packages/db-postgres/bench/store.bench.ts";
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
  const postgres = await measurePostgres(options.quick);
  const ms = (value: number): string => `${num(value, 2)} ms`;
  const pgRows = Array.isArray(postgres) ? postgres : [];
  return {
    id: "store",
    title: "The ticket store",
    method:
      "@operator/db's benchmark (`packages/db/bench/store.bench.ts`) in the benchmark process: a SQLite file in a " +
      "temporary directory, the store's recordCycle/listTickets called with what a monitor cycle would pass. " +
      "Wall time per call, median (min–max) over the runs shown; CPU time beside it. The PostgreSQL rows come " +
      "from @operator/db-postgres's benchmark (`packages/db-postgres/bench/store.bench.ts`) with the same plans, " +
      "on a PostgreSQL server started for it on 127.0.0.1 (durability off, as in tests); wall time only, since " +
      "the server's CPU is another process's.",
    tables: [
      {
        columns: ["Measurement", "Wall time", "CPU time", "Runs", "Target", "Verdict"],
        rows: [
          ...rows.map((r) => [
            r.measurement,
            `${ms(r.medianMs)} (${num(r.minMs, 2)}–${num(r.maxMs, 2)})`,
            ms(r.cpuMedianMs),
            String(r.runs),
            r.target,
            verdictText(r.met),
          ]),
          ...pgRows.map((r) => [
            `PostgreSQL: ${r.measurement}`,
            `${ms(r.medianMs)} (${num(r.minMs, 2)}–${num(r.maxMs, 2)})`,
            "",
            String(r.runs),
            r.target,
            verdictText(r.met),
          ]),
        ],
      },
    ],
    targets: [
      ...rows.filter(isIssueTarget).map((r) => ({
        measure: `Ticket store: ${r.measurement}`,
        target: r.measurement.startsWith("list")
          ? `${r.target} (@operator/db's own; the issue sets none)`
          : r.target,
        measured: ms(r.medianMs),
        met: r.met,
      })),
      ...postgresTargets(postgres),
    ],
    notes: [
      ...rows.flatMap((r) => (r.note === undefined ? [] : [`${r.measurement}: ${r.note}.`])),
      ...pgRows.flatMap((r) => (r.note === undefined ? [] : [`PostgreSQL, ${r.measurement}: ${r.note}.`])),
      ...(Array.isArray(postgres) ? [] : [`PostgreSQL not measured: ${postgres}`]),
    ],
  };
}

/** The PostgreSQL rows, or why they could not be measured (no server binaries, say). */
async function measurePostgres(quick: boolean): Promise<PostgresBenchRow[] | string> {
  try {
    return await benchPostgresStore({ quick });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The issue's two PostgreSQL targets; not measured when no server could run. */
function postgresTargets(postgres: PostgresBenchRow[] | string) {
  const targets = [
    { measurement: "one cycle opening 10,000 violations", target: "< 300 ms" },
    { measurement: "steady cycle, 1,000 open tickets recurring, no change", target: "< 10 ms" },
  ];
  return targets.map(({ measurement, target }) => {
    const row = Array.isArray(postgres) ? postgres.find((r) => r.measurement === measurement) : undefined;
    return {
      measure: `Ticket store on PostgreSQL: ${measurement}`,
      target,
      measured: row === undefined ? "not measured" : `${num(row.medianMs, 2)} ms`,
      met: row === undefined ? null : row.met,
    };
  });
}

/** The store's published targets; the other rows are extra listing variants. */
function isIssueTarget(row: StoreBenchRow): boolean {
  return /10,000 violations|1,000 open tickets|^list 100 of 100,000 tickets, newest first/.test(
    row.measurement,
  );
}
