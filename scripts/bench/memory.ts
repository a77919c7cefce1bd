import path from "node:path";
import type { FaultCommand } from "./deps.ts";
import { cell, num, type SectionReport, type Table, type TargetCheck } from "./report.ts";
import type { SimHandlers } from "./sim-host.ts";
import { type Summary, summarize } from "./stats.ts";
import { withTempDir } from "./temp-dir.ts";
import { startWorker } from "./worker.ts";

/** One cluster size the memory section measures, with its own checkpoints and RSS target. */
export interface MemorySize {
  readonly stores: number;
  /** Cycle counts at which memory is read; the growth target compares the first with the last. */
  readonly checkpoints: readonly number[];
  /** Resident size every checkpoint must stay under (MB). */
  readonly rssTargetMb: number;
}

/** How the memory section runs. */
export interface MemoryOptions {
  readonly sizes: readonly MemorySize[];
  readonly runs: number;
  /** Time between two fault toggles (ms). */
  readonly faultEveryMs: number;
  /** A run stops early, at the cycle it reached, after this many ms. */
  readonly budgetMs: number;
}

/** Options of the memory worker's `run` (memory-child.mjs). */
export interface MemoryRunOptions {
  readonly pdUrl: string;
  readonly prometheusUrl: string;
  readonly dbFile: string;
  /** Cycle counts after which to sample memory, ascending. */
  readonly checkpoints: readonly number[];
  /** Stop early (with one last sample) once this many ms have passed. */
  readonly budgetMs: number;
}

/** Memory of the worker after a number of cycles, read after a full garbage collection. */
export interface MemorySample {
  readonly cycles: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  /** Heap the engine has committed, used or not: part of the RSS that GC does not give back at once. */
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly elapsedMs: number;
  /** Cycles so far in which some result was unknown. */
  readonly unknownCycles: number;
  /** Tickets opened and resolved so far. */
  readonly opened: number;
  readonly resolved: number;
}

/** What memory-child.mjs serves. */
type MemoryHandlers = { run(options: MemoryRunOptions): MemorySample[] };

/** The memory figures shown per checkpoint, all in MB, read after a full GC. */
const FIELDS = ["rssMb", "heapTotalMb", "heapUsedMb", "externalMb"] as const;
const GROWTH_TARGET_MB = 10;

/** Faults toggled during a run, in a loop, so tickets open, recur and resolve. */
const FAULTS: readonly FaultCommand[] = [
  { fault: "stop-store", store: 1 },
  { fault: "slow-store", store: 2, p99Seconds: 2 },
  { fault: "start-store", store: 1 },
  { fault: "fill-disk", store: 3, usedRatio: 0.95 },
  { fault: "slow-store", store: 2, p99Seconds: null },
  { fault: "fill-disk", store: 3, usedRatio: 0.4 },
];

async function oneRun(options: MemoryOptions, size: MemorySize): Promise<MemorySample[]> {
  const sim = startWorker<SimHandlers>(new URL("./sim-host.ts", import.meta.url));
  const child = startWorker<MemoryHandlers>(new URL("./memory-child.mjs", import.meta.url), {
    nodeFlags: ["--expose-gc"],
    plainNode: true,
  });
  try {
    const endpoints = await sim.call("start", {
      stores: size.stores,
      scrapeIntervalMs: 1000,
      timeScale: 20,
    });
    return await withTempDir(async (dir) => {
      let done = false;
      const running = child
        .call("run", {
          pdUrl: endpoints.pdUrl,
          prometheusUrl: endpoints.prometheusUrl,
          dbFile: path.join(dir, "tickets.db"),
          checkpoints: size.checkpoints,
          budgetMs: options.budgetMs,
        })
        .finally(() => {
          done = true;
        });
      let next = 0;
      while (!done) {
        await Promise.race([running.catch(() => undefined), sleep(options.faultEveryMs)]);
        if (done) break;
        const fault = FAULTS[next++ % FAULTS.length];
        if (fault) await sim.call("fault", fault);
      }
      return await running;
    });
  } finally {
    await child.close();
    await sim.call("stop").catch(() => undefined);
    await sim.close();
  }
}

/**
 * Resident memory of a monitor process after many fast cycles (back to back, no interval) against a
 * simulated cluster whose stores go down, slow and full in turn, at each cluster size.
 */
export async function benchMemory(options: MemoryOptions): Promise<SectionReport> {
  const tables: Table[] = [];
  const targets: TargetCheck[] = [];
  const notes: string[] = [];
  for (const size of options.sizes) {
    const measured = await benchSize(options, size);
    tables.push(measured.table);
    targets.push(...measured.targets);
    notes.push(...measured.notes);
  }
  const stores = options.sizes.map((size) => num(size.stores, 0)).join(" and ");
  return {
    id: "memory",
    title: "Memory",
    method:
      "A monitor process (createMonitor with the TiKV subject and the SQLite store from the built packages, on " +
      "plain Node with --expose-gc and the V8 setting `operator monitor` applies, no TypeScript loader) runs " +
      `cycles back to back against ${stores} simulated stores and a real Prometheus in other processes, while a ` +
      `store is stopped, slowed, filled and healed in turn every ${num(options.faultEveryMs / 1000)} s. Resident ` +
      `set size (RSS) and heap in use are read after a full GC at each checkpoint; ${options.runs} run(s) per ` +
      "cluster size, each in a fresh process; median (min–max) over runs.",
    tables,
    targets,
    notes,
  };
}

async function benchSize(
  options: MemoryOptions,
  size: MemorySize,
): Promise<{ table: Table; targets: TargetCheck[]; notes: string[] }> {
  const runs: MemorySample[][] = [];
  const notes: string[] = [];
  const stores = `${num(size.stores, 0)} stores`;
  for (let i = 0; i < options.runs; i++) {
    process.stderr.write(`[bench] memory: ${stores}, run ${i + 1}/${options.runs}\n`);
    try {
      runs.push(await oneRun(options, size));
    } catch (error) {
      notes.push(
        `${stores}, run ${i + 1} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      );
    }
  }
  const first = size.checkpoints[0] ?? 0;
  const last = size.checkpoints.at(-1) ?? 0;
  const at = (cycles: number, pick: (s: MemorySample) => number): Summary | null => {
    const values = runs.flatMap((samples) => samples.filter((s) => s.cycles === cycles).map(pick));
    return values.length > 0 ? summarize(values) : null;
  };
  const growth = (pick: (s: MemorySample) => number): Summary | null => {
    const values = runs.flatMap((samples) => {
      const a = samples.find((s) => s.cycles === first);
      const b = samples.find((s) => s.cycles === last);
      return a && b ? [pick(b) - pick(a)] : [];
    });
    return values.length > 0 ? summarize(values) : null;
  };
  const show = (s: Summary | null, unit: string): string => (s ? cell(s, unit) : "not reached");
  for (const [i, samples] of runs.entries()) {
    const end = samples.at(-1);
    if (end && end.cycles < last) {
      notes.push(
        `${stores}, run ${i + 1} stopped at ${num(end.cycles, 0)} cycles after its ${num(options.budgetMs / 60_000)} min budget ` +
          `(${num(end.cycles / (end.elapsedMs / 1000))} cycles/s on this machine); RSS then ${num(end.rssMb)} MB.`,
      );
    }
    if (end) {
      notes.push(
        `${stores}, run ${i + 1}: ${num(end.cycles, 0)} cycles in ${num(end.elapsedMs / 1000)} s, ${end.opened} tickets opened, ` +
          `${end.resolved} resolved, ${end.unknownCycles} cycles with an unknown result.`,
      );
    }
  }
  const rssFirst = at(first, (s) => s.rssMb);
  const rssLast = at(last, (s) => s.rssMb);
  const rssGrowth = growth((s) => s.rssMb);
  const table: Table = {
    caption: `${stores}`,
    columns: ["Cycles", "RSS", "Heap committed", "Heap used", "External", "Elapsed"],
    rows: [
      ...[0, ...size.checkpoints].map((cycles) => [
        cycles === 0 ? "0 (monitor created)" : num(cycles, 0),
        ...FIELDS.map((field) =>
          show(
            at(cycles, (s) => s[field]),
            "MB",
          ),
        ),
        show(
          at(cycles, (s) => s.elapsedMs / 1000),
          "s",
        ),
      ]),
      [
        `Growth ${num(first, 0)} → ${num(last, 0)}`,
        ...FIELDS.map((field) =>
          show(
            growth((s) => s[field]),
            "MB",
          ),
        ),
        "",
      ],
    ],
  };
  const targets: TargetCheck[] = [
    {
      measure: `RSS after ${num(first, 0)} and ${num(last, 0)} fast cycles, ${stores}`,
      target: `< ${size.rssTargetMb} MB`,
      measured:
        rssFirst && rssLast ? `${num(rssFirst.median)} MB, ${num(rssLast.median)} MB` : "not measured",
      met: rssFirst && rssLast ? Math.max(rssFirst.median, rssLast.median) < size.rssTargetMb : null,
    },
    {
      measure: `RSS growth from ${num(first, 0)} to ${num(last, 0)} cycles (leak), ${stores}`,
      target: `flat: < ${GROWTH_TARGET_MB} MB`,
      measured: rssGrowth ? `${num(rssGrowth.median)} MB` : "not measured",
      met: rssGrowth ? rssGrowth.median < GROWTH_TARGET_MB : null,
    },
  ];
  return { table, targets, notes };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
