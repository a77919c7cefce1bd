/**
 * Benchmark of the PostgreSQL ticket store, on a real server started for it (see
 * `startTestPostgres`; durability off, as in tests), with the same plans as `@operator/db`'s:
 *   npx tsx --conditions=@operator/source packages/db-postgres/bench/store.bench.ts [--quick]
 * Prints a markdown table; `benchPostgresStore()` returns the rows.
 */
import { pathToFileURL } from "node:url";
import {
  type CyclePlan,
  type CycleSnapshot,
  MONITOR_ACTOR,
  type TicketChange,
  type TicketDraft,
  type TicketFilter,
} from "@operator/core";
import postgres from "postgres";
import { openPostgresTicketStore, type PostgresTicketStore } from "../src/index.ts";
import { startTestPostgres } from "../src/testing/index.ts";

/** One measured target. */
export interface PostgresBenchRow {
  readonly measurement: string;
  readonly target: string;
  readonly targetMs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
  readonly met: boolean;
  /** What else the reader needs to judge the row, e.g. the warm-up it left out. */
  readonly note?: string;
}

const T0 = Date.UTC(2026, 0, 1);

/** Cycles run before a steady cycle is measured, as in `@operator/db`'s benchmark (V8's warm-up). */
const STEADY_WARM_UP_CYCLES = 100;

/** Measures the store targets (issue 18: < 300 ms and < 10 ms) on a PostgreSQL server of its own. */
export async function benchPostgresStore(options: { quick?: boolean } = {}): Promise<PostgresBenchRow[]> {
  const quick = options.quick ?? false;
  const server = await startTestPostgres();
  try {
    return [
      await benchOpen10k(await server.createDatabase(), quick ? 3 : 7),
      await benchSteady(await server.createDatabase(), quick ? 20 : 100, quick ? 20 : STEADY_WARM_UP_CYCLES),
      await benchListing(await server.createDatabase(), quick ? 20 : 100),
    ];
  } finally {
    await server.stop();
  }
}

/** Renders rows as a markdown table. */
export function renderPostgresBench(rows: readonly PostgresBenchRow[]): string {
  const lines = ["| measurement | target | median | runs | verdict |", "|---|---|---|---|---|"];
  for (const r of rows) {
    const median = `${r.medianMs.toFixed(2)} ms (${r.minMs.toFixed(2)}–${r.maxMs.toFixed(2)})`;
    lines.push(
      `| ${r.measurement} | ${r.target} | ${median} | ${r.runs} | ${r.met ? "met" : "**missed**"} |`,
    );
  }
  for (const r of rows) if (r.note !== undefined) lines.push("", `${r.measurement}: ${r.note}.`);
  return `${lines.join("\n")}\n`;
}

// --- Internal helpers ---

async function benchOpen10k(url: string, runs: number): Promise<PostgresBenchRow> {
  const store = await openPostgresTicketStore(url, { now: () => T0 });
  const times: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const subject = `bench${run}`;
      const drafts = Array.from({ length: 10_000 }, (_, i) =>
        draft(`${subject}/store_down/${i}`, `c-${run}`),
      );
      const plan = fixedPlan({ open: drafts });
      const started = performance.now();
      const result = await store.recordCycle([subject], () => plan);
      times.push(performance.now() - started);
      if (result.opened.length !== 10_000) throw new Error(`opened ${result.opened.length}, expected 10000`);
    }
  } finally {
    await store.close();
  }
  return row("one cycle opening 10,000 violations", 300, times);
}

async function benchSteady(url: string, cycles: number, warmUp: number): Promise<PostgresBenchRow> {
  const store = await openPostgresTicketStore(url, { now: () => T0 });
  const warming: number[] = [];
  const times: number[] = [];
  try {
    const keys = Array.from({ length: 1000 }, (_, i) => `bench/high_latency/${i}`);
    await store.recordCycle(["bench"], () => fixedPlan({ open: keys.map((k) => draft(k, "c-0")) }));
    for (let n = 1; n <= warmUp + cycles; n++) {
      const at = T0 + n * 30_000;
      const started = performance.now();
      const result = await store.recordCycle(["bench"], (snapshot) => recurrencePlan(snapshot, at));
      (n > warmUp ? times : warming).push(performance.now() - started);
      if (result.changed !== 1000) throw new Error(`changed ${result.changed}, expected 1000`);
    }
  } finally {
    await store.close();
  }
  return {
    ...row("steady cycle, 1,000 open tickets recurring, no change", 10, times),
    note: `measured after ${warmUp} warm-up cycles of the same store (a new process compiles its code in its first cycles), whose median was ${median(warming).toFixed(2)} ms`,
  };
}

async function benchListing(url: string, runs: number): Promise<PostgresBenchRow> {
  await (await openPostgresTicketStore(url)).close();
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  await sql.unsafe(`
    INSERT INTO tickets (key, subject, invariant, entity, severity, status, message, first_seen_at,
      last_seen_at, batch_key, first_values, last_values, created_at, updated_at, resolved_at, resolved_by)
    SELECT 's' || (i % 10) || '/inv' || (i % 7) || '/' || i, 's' || (i % 10), 'inv' || (i % 7), i::text,
      CASE i % 3 WHEN 0 THEN 'critical' WHEN 1 THEN 'warning' ELSE 'info' END,
      CASE WHEN i % 100 = 0 THEN 'open' ELSE 'resolved' END,
      'message ' || i, ${T0} + i, ${T0} + i, 'batch-' || (i / 50), '{"value":1}', '{"value":2}',
      ${T0} + i, ${T0} + i,
      CASE WHEN i % 100 = 0 THEN NULL ELSE ${T0} + i END, CASE WHEN i % 100 = 0 THEN NULL ELSE 'monitor' END
    FROM generate_series(1, 100000) AS i;
    ANALYZE tickets`);
  await sql.end();
  const store = await openPostgresTicketStore(url, { readonly: true });
  try {
    return await listRow(store, "list 100 of 100,000 tickets, newest first (all statuses)", runs, {
      includeResolved: true,
      limit: 100,
    });
  } finally {
    await store.close();
  }
}

async function listRow(
  store: PostgresTicketStore,
  label: string,
  runs: number,
  filter: TicketFilter,
): Promise<PostgresBenchRow> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const started = performance.now();
    const page = await store.listTickets(filter);
    if (i >= 3) times.push(performance.now() - started);
    if (page.tickets.length === 0) throw new Error(`${label}: empty page`);
  }
  return row(label, 10, times);
}

function draft(key: string, batchKey: string): TicketDraft {
  const [subject = "", invariant = "", entity = ""] = key.split("/");
  return {
    key,
    subject,
    invariant,
    entity,
    severity: "warning",
    message: `${key}: p99 latency 812 ms above 500 ms`,
    flapping: false,
    firstSeenAt: T0,
    lastSeenAt: T0,
    occurrenceCount: 1,
    batchKey,
    values: { p99Ms: 812, thresholdMs: 500, store: entity },
    createdAt: T0,
    events: [{ at: T0, actor: MONITOR_ACTOR, kind: "opened", from: null, to: "open", comment: null }],
  };
}

function recurrencePlan(snapshot: CycleSnapshot, at: number): CyclePlan {
  const change: TicketChange[] = [];
  for (const ticket of snapshot.openTickets.values()) {
    change.push({
      id: ticket.id,
      patch: {
        lastSeenAt: at,
        occurrenceCount: ticket.occurrenceCount + 1,
        message: ticket.message,
        lastValues: ticket.lastValues,
        updatedAt: at,
      },
      events: [],
    });
  }
  return fixedPlan({ change });
}

function fixedPlan(parts: Partial<CyclePlan>): CyclePlan {
  return {
    upsertStates: [],
    deleteStates: [],
    open: [],
    change: [],
    identities: [],
    log: {
      id: "bench",
      startedAt: T0,
      finishedAt: T0,
      invariants: 1,
      violations: 0,
      unknown: 0,
      opened: parts.open?.length ?? 0,
      resolved: 0,
      failures: {},
    },
    ...parts,
  };
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}

function row(measurement: string, targetMs: number, times: readonly number[]): PostgresBenchRow {
  const sorted = [...times].sort((a, b) => a - b);
  const medianMs = median(times);
  return {
    measurement,
    target: `< ${targetMs} ms`,
    targetMs,
    medianMs,
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted.at(-1) ?? Number.NaN,
    runs: times.length,
    met: medianMs < targetMs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await benchPostgresStore({ quick: process.argv.includes("--quick") });
  process.stdout.write(renderPostgresBench(rows));
}
