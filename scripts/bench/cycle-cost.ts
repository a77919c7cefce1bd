import path from "node:path";
import { createMonitor, openTicketStore, tikvSubject } from "./deps.ts";
import { num, type SectionReport, type TargetCheck } from "./report.ts";
import type { SimHandlers } from "./sim-host.ts";
import { cpuMs, elapsedMs, type Summary, summarize } from "./stats.ts";
import { withTempDir } from "./temp-dir.ts";
import { timeStore } from "./timed-store.ts";
import { startWorker } from "./worker.ts";

/** How the cycle-cost section runs. */
export interface CycleCostOptions {
  readonly sizes: readonly number[];
  /** Measured cycles per size. */
  readonly cycles: number;
  /** Unmeasured cycles first (JIT, connection pools, ticket state). */
  readonly warmup: number;
  /** Stop measuring a size that has not finished within this many ms. */
  readonly budgetMs: number;
}

/** The measurements at one cluster size. */
interface SizeResult {
  readonly stores: number;
  readonly pd: Summary;
  readonly prometheus: Summary;
  readonly cpu: Summary;
  readonly wall: Summary;
  readonly db: Summary;
  readonly plan: Summary;
  readonly startMs: number;
  readonly unknownCycles: number;
}

const CPU_TARGET_MS = 50;
const CPU_TARGET_STORES = 1000;

/** Scrape less often on big clusters: Prometheus's own load is not what this section measures. */
function scrapeIntervalFor(stores: number): number {
  if (stores <= 100) return 1000;
  if (stores <= 1000) return 5000;
  return 15_000;
}

async function measureSize(stores: number, options: CycleCostOptions): Promise<SizeResult> {
  const sim = startWorker<SimHandlers>(new URL("./sim-host.ts", import.meta.url));
  try {
    const endpoints = await sim.call("start", { stores, scrapeIntervalMs: scrapeIntervalFor(stores) });
    return await withTempDir(async (dir) => {
      const inner = openTicketStore(path.join(dir, "tickets.db"));
      const timed = timeStore(inner);
      const monitor = createMonitor({
        subjects: [
          tikvSubject({ name: "bench", pdUrl: endpoints.pdUrl, prometheusUrl: endpoints.prometheusUrl }),
        ],
        store: timed.store,
        intervalMs: 30_000,
        deadlineMs: 25_000,
      });
      const deadline = performance.now() + options.budgetMs;
      try {
        for (let i = 0; i < options.warmup; i++) await monitor.runOnce();
        await sim.call("counts");
        const samples = { pd: [], prometheus: [], cpu: [], wall: [], db: [], plan: [] } as Record<
          "pd" | "prometheus" | "cpu" | "wall" | "db" | "plan",
          number[]
        >;
        let unknownCycles = 0;
        for (let i = 0; i < options.cycles && (i < 3 || performance.now() < deadline); i++) {
          timed.reset();
          const cpu0 = process.cpuUsage();
          const wall0 = performance.now();
          const report = await monitor.runOnce();
          samples.cpu.push(cpuMs(cpu0));
          samples.wall.push(elapsedMs(wall0));
          samples.db.push(timed.dbMs());
          samples.plan.push(timed.planMs());
          const counts = await sim.call("counts");
          samples.pd.push(counts.pd);
          samples.prometheus.push(counts.prometheus);
          if (report.unknown > 0) unknownCycles++;
        }
        return {
          stores,
          pd: summarize(samples.pd),
          prometheus: summarize(samples.prometheus),
          cpu: summarize(samples.cpu),
          wall: summarize(samples.wall),
          db: summarize(samples.db),
          plan: summarize(samples.plan),
          startMs: endpoints.startMs,
          unknownCycles,
        };
      } finally {
        await monitor.stop();
        inner.close();
      }
    });
  } finally {
    await sim.call("stop").catch(() => undefined);
    await sim.close();
  }
}

/**
 * Cycle cost against cluster size: requests to PD and Prometheus, CPU, wall and database time per
 * cycle, each a median over `cycles` cycles at every size.
 */
export async function benchCycleCost(options: CycleCostOptions): Promise<SectionReport> {
  const results: SizeResult[] = [];
  const failed = new Map<number, string>();
  for (const stores of options.sizes) {
    process.stderr.write(`[bench] cycle cost: ${num(stores, 0)} stores\n`);
    try {
      results.push(await measureSize(stores, options));
    } catch (error) {
      failed.set(stores, error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error));
    }
  }
  return cycleCostReport(options, results, failed);
}

function cycleCostReport(
  options: CycleCostOptions,
  results: readonly SizeResult[],
  failed: ReadonlyMap<number, string>,
): SectionReport {
  const sizes = options.sizes;
  const bySize = new Map(results.map((r) => [r.stores, r]));
  const row = (label: string, pick: (r: SizeResult) => Summary, unit: string, digits = 1): string[] => [
    label,
    ...sizes.map((s) => {
      const r = bySize.get(s);
      if (!r) return "not measured";
      const summary = pick(r);
      return `${num(summary.median, digits)}${unit} (${num(summary.min, digits)}–${num(summary.max, digits)})`;
    }),
  ];
  const constant = (pick: (r: SizeResult) => Summary): boolean | null => {
    if (results.length < 2) return null;
    const medians = new Set(results.map((r) => pick(r).median));
    return medians.size === 1 && results.every((r) => pick(r).min === pick(r).max);
  };
  const at1000 = bySize.get(CPU_TARGET_STORES);
  const requestCounts = (pick: (r: SizeResult) => Summary): string =>
    results.map((r) => `${num(pick(r).median, 0)} at ${num(r.stores, 0)}`).join(", ") || "none";
  const targets: TargetCheck[] = [
    {
      measure: "PD requests per cycle vs cluster size",
      target: "the same count at every size",
      measured: requestCounts((r) => r.pd),
      met: constant((r) => r.pd),
    },
    {
      measure: "Prometheus requests per cycle vs cluster size",
      target: "the same count at every size",
      measured: requestCounts((r) => r.prometheus),
      met: constant((r) => r.prometheus),
    },
    {
      measure: `CPU per cycle, ${num(CPU_TARGET_STORES, 0)} stores`,
      target: `< ${CPU_TARGET_MS} ms`,
      measured: at1000 ? `${num(at1000.cpu.median)} ms` : "not measured",
      met: at1000 ? at1000.cpu.median < CPU_TARGET_MS : null,
    },
  ];
  const notes = [
    ...results
      .filter((r) => r.unknownCycles > 0)
      .map((r) => `${num(r.stores, 0)} stores: ${r.unknownCycles} measured cycles had unknown results.`),
    ...[...failed].map(([stores, why]) => `${num(stores, 0)} stores: not measured: ${why}`),
  ];
  return {
    id: "cycle-cost",
    title: "Cycle cost against cluster size",
    method:
      `One monitor (the TiKV subject and the SQLite ticket store) runs in the benchmark process; the simulated ` +
      `cluster, a real Prometheus and two counting proxies run in other processes, so CPU time here is the ` +
      `monitor's own (process.cpuUsage around runOnce(), all threads of the process). ${options.warmup} warm-up ` +
      `cycles, then up to ${options.cycles} measured cycles per size; median (min–max). Database time is the time ` +
      "inside the store's recordCycle minus the monitor's planning callback. Requests are counted at the proxies. " +
      "Prometheus scrapes every 1 s up to 100 stores, 5 s at 1,000 and 15 s above (its own load is not measured).",
    tables: [
      {
        columns: ["Per cycle", ...sizes.map((s) => `${num(s, 0)} stores`)],
        rows: [
          row("PD requests", (r) => r.pd, "", 0),
          row("Prometheus requests", (r) => r.prometheus, "", 0),
          row("CPU time", (r) => r.cpu, " ms"),
          row("Wall time", (r) => r.wall, " ms"),
          row("Database time", (r) => r.db, " ms", 2),
          row("Planning time (in the transaction)", (r) => r.plan, " ms", 2),
          [
            "Cluster + Prometheus ready after",
            ...sizes.map((s) => {
              const r = bySize.get(s);
              return r ? `${num(r.startMs / 1000)} s` : "—";
            }),
          ],
        ],
      },
    ],
    targets,
    notes,
  };
}
