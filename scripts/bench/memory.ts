import path from "node:path";
import type { FaultCommand } from "./deps.ts";
import type { MemoryHandlers, MemorySample } from "./memory-child.ts";
import { cell, num, type SectionReport } from "./report.ts";
import type { SimHandlers } from "./sim-host.ts";
import { summarize } from "./stats.ts";
import { withTempDir } from "./temp-dir.ts";
import { startWorker } from "./worker.ts";

/** How the memory section runs. */
export interface MemoryOptions {
  readonly stores: number;
  /** Two checkpoints: the early one and the late one (cycles). */
  readonly checkpoints: readonly [number, number];
  readonly runs: number;
  /** Time between two fault toggles (ms). */
  readonly faultEveryMs: number;
}

const RSS_TARGET_MB = 100;
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

async function oneRun(options: MemoryOptions): Promise<MemorySample[]> {
  const sim = startWorker<SimHandlers>(new URL("./sim-host.ts", import.meta.url));
  const child = startWorker<MemoryHandlers>(new URL("./memory-child.ts", import.meta.url), ["--expose-gc"]);
  try {
    const endpoints = await sim.call("start", {
      stores: options.stores,
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
          checkpoints: options.checkpoints,
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
 * simulated cluster whose stores go down, slow and full in turn.
 */
export async function benchMemory(options: MemoryOptions): Promise<SectionReport> {
  const runs: MemorySample[][] = [];
  const notes: string[] = [];
  for (let i = 0; i < options.runs; i++) {
    process.stderr.write(`[bench] memory: run ${i + 1}/${options.runs}\n`);
    try {
      runs.push(await oneRun(options));
    } catch (error) {
      notes.push(
        `Run ${i + 1} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      );
    }
  }
  const [early, late] = options.checkpoints;
  const at = (index: 0 | 1, pick: (s: MemorySample) => number): number[] =>
    runs.map((samples) => samples[index]).flatMap((s) => (s ? [pick(s)] : []));
  const measured = runs.length > 0;
  const rssEarly = measured ? summarize(at(0, (s) => s.rssMb)) : null;
  const rssLate = measured ? summarize(at(1, (s) => s.rssMb)) : null;
  const growth = measured
    ? summarize(runs.map((s) => (s[1]?.rssMb ?? Number.NaN) - (s[0]?.rssMb ?? Number.NaN)))
    : null;
  const heapEarly = measured ? summarize(at(0, (s) => s.heapUsedMb)) : null;
  const heapLate = measured ? summarize(at(1, (s) => s.heapUsedMb)) : null;
  const heapGrowth = measured
    ? summarize(runs.map((s) => (s[1]?.heapUsedMb ?? Number.NaN) - (s[0]?.heapUsedMb ?? Number.NaN)))
    : null;
  const cyclesPerSecond = measured
    ? summarize(runs.map((s) => ((s[1]?.cycles ?? 0) / (s[1]?.elapsedMs ?? Number.NaN)) * 1000))
    : null;
  const unknown = runs.map((s) => s[1]?.unknownCycles ?? 0);
  if (unknown.some((n) => n > 0)) {
    notes.push(
      `Cycles with unknown results (expected while a store is stopped), per run: ${unknown.join(", ")}.`,
    );
  }
  const show = (s: ReturnType<typeof summarize> | null, unit: string): string =>
    s ? cell(s, unit) : "not measured";
  return {
    id: "memory",
    title: "Memory",
    method:
      `A monitor process (TiKV subject + SQLite store, Node started with --expose-gc) runs cycles back to back ` +
      `against ${num(options.stores, 0)} simulated stores and a real Prometheus in other processes, while a store is ` +
      `stopped, slowed, filled and healed in turn every ${num(options.faultEveryMs / 1000)} s. Resident set size ` +
      `(RSS) and heap in use are read after a full GC at ${num(early, 0)} and ${num(late, 0)} cycles; ` +
      `${options.runs} runs, each in a fresh process; median (min–max).`,
    tables: [
      {
        columns: ["Measure", `After ${num(early, 0)} cycles`, `After ${num(late, 0)} cycles`, "Growth"],
        rows: [
          ["RSS", show(rssEarly, "MB"), show(rssLate, "MB"), show(growth, "MB")],
          ["Heap used (after GC)", show(heapEarly, "MB"), show(heapLate, "MB"), show(heapGrowth, "MB")],
          ["Cycles per second", "", show(cyclesPerSecond, "/s"), ""],
        ],
      },
    ],
    targets: [
      {
        measure: `RSS after ${num(late, 0)} fast cycles`,
        target: `< ${RSS_TARGET_MB} MB`,
        measured: rssLate ? `${num(rssLate.median)} MB` : "not measured",
        met: rssLate ? rssLate.median < RSS_TARGET_MB && (rssEarly?.median ?? 0) < RSS_TARGET_MB : null,
      },
      {
        measure: `RSS growth from ${num(early, 0)} to ${num(late, 0)} cycles (leak)`,
        target: `flat: < ${GROWTH_TARGET_MB} MB`,
        measured: growth ? `${num(growth.median)} MB` : "not measured",
        met: growth ? growth.median < GROWTH_TARGET_MB : null,
      },
    ],
    notes,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
