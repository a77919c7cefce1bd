import path from "node:path";
import { getHeapSpaceStatistics } from "node:v8";
import { createMonitor, openTicketStore, silentLogger, tikvSubject } from "./deps.ts";
import { type HotSpot, profileHotSpots } from "./profile.ts";
import { num, type SectionReport, type Table, type TargetCheck } from "./report.ts";
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
  /**
   * Unmeasured cycles first, until V8 has compiled the hot paths (a daemon runs for days: its steady
   * state is what it costs): this many, or fewer where they exceed {@link warmupMs} (at least one).
   */
  readonly warmup: number;
  /** Stop warming a size up after this many ms of cycles. */
  readonly warmupMs: number;
  /** Stop measuring a size after this many ms of cycles (at least 3 cycles run). */
  readonly budgetMs: number;
  /** Give up on a size whose Prometheus has not scraped every store within this many ms. */
  readonly readyTimeoutMs: number;
}

/** The measurements at one cluster size. */
interface SizeResult {
  readonly stores: number;
  readonly pd: Summary;
  readonly prometheus: Summary;
  readonly pdRetries: Summary;
  readonly prometheusRetries: Summary;
  readonly cpu: Summary;
  readonly wall: Summary;
  readonly db: Summary;
  readonly plan: Summary;
  readonly startMs: number;
  readonly scrapeIntervalMs: number;
  readonly unknownCycles: number;
  readonly unknownReasons: readonly string[];
  /** Where one extra, profiled cycle spent its CPU time. */
  readonly hotSpots: readonly HotSpot[];
  /** CPU time of the process's first cycles, before V8 compiled the hot paths (first size only). */
  readonly coldCpu: Summary | undefined;
  /** Warm-up cycles run before the measured ones. */
  readonly warmupCycles: number;
  /** Size of V8's young generation (new space) after the measured cycles, MB. */
  readonly youngMb: number;
  /** Requests by path in the last measured cycle. */
  readonly paths: { readonly pd: Record<string, number>; readonly prometheus: Record<string, number> };
}

type Series = "pd" | "prometheus" | "pdRetries" | "prometheusRetries" | "cpu" | "wall" | "db" | "plan";

/** CPU per cycle targets (issue #18): cluster size -> ms. */
const CPU_TARGETS: ReadonlyMap<number, number> = new Map([
  [1000, 50],
  [5000, 250],
]);

/** The size whose profile the report always shows, beside the largest: the first CPU target's. */
const PROFILED_STORES = [...CPU_TARGETS.keys()][0];
/** Per-request timeout of the subject: generous, so a slow Prometheus shows as wall time, not as unknown. */
const REQUEST_TIMEOUT_MS = 20_000;

/** Cycles of a fresh process reported as its cold cost. */
const COLD_CYCLES = 10;
/** Cycles run by this process so far, at any size. */
let processCycles = 0;

/** Regions of the 10,000-store cluster: 100,000 behind PD's region checks (10 per store). */
const REGIONS_AT_10000 = 100_000;

/** The simulator's default (100 per store) up to 5,000 stores; 100,000 regions at 10,000 and more. */
function regionsFor(stores: number): number | undefined {
  return stores >= 10_000 ? REGIONS_AT_10000 : undefined;
}

/** Scrape less often on big clusters: Prometheus's own load is not what this section measures. */
function scrapeIntervalFor(stores: number): number {
  if (stores <= 100) return 1000;
  if (stores <= 1000) return 5000;
  return 30_000;
}

/**
 * The subject's windows for a scrape interval: a `rate()` or `delta()` needs two samples in its window,
 * so at 30 s a window of 30 s (the leader-drop default) would leave stores without a sample.
 */
function windowsFor(scrapeIntervalMs: number): { rateWindow: string; leaderDropWindow?: string } {
  return scrapeIntervalMs > 15_000 ? { rateWindow: "2m", leaderDropWindow: "2m" } : { rateWindow: "1m" };
}

async function measureSize(stores: number, options: CycleCostOptions): Promise<SizeResult> {
  const sim = startWorker<SimHandlers>(new URL("./sim-host.ts", import.meta.url));
  const scrapeIntervalMs = scrapeIntervalFor(stores);
  try {
    const regions = regionsFor(stores);
    const endpoints = await sim.call("start", {
      stores,
      ...(regions === undefined ? {} : { regions }),
      scrapeIntervalMs,
      readyTimeoutMs: options.readyTimeoutMs,
    });
    return await withTempDir(async (dir) => {
      const inner = openTicketStore(path.join(dir, "tickets.db"));
      const timed = timeStore(inner);
      const retries = { pd: 0, prometheus: 0 };
      const monitor = createMonitor({
        subjects: [
          tikvSubject({
            name: "bench",
            pdUrl: endpoints.pdUrl,
            prometheusUrl: endpoints.prometheusUrl,
            timeoutMs: REQUEST_TIMEOUT_MS,
            ...windowsFor(scrapeIntervalMs),
            onRequest: (event) => {
              if (event.attempt > 0) retries[event.source]++;
            },
          }),
        ],
        store: timed.store,
        intervalMs: 60_000,
        deadlineMs: 50_000,
        logger: silentLogger,
      });
      try {
        const cold: number[] = [];
        const warmupEnd = performance.now() + options.warmupMs;
        let warmupCycles = 0;
        do {
          const cpu0 = process.cpuUsage();
          await monitor.runOnce();
          if (processCycles++ < COLD_CYCLES) cold.push(cpuMs(cpu0));
          warmupCycles++;
        } while (warmupCycles < options.warmup && performance.now() < warmupEnd);
        const deadline = performance.now() + options.budgetMs;
        await sim.call("counts");
        const samples: Record<Series, number[]> = {
          pd: [],
          prometheus: [],
          pdRetries: [],
          prometheusRetries: [],
          cpu: [],
          wall: [],
          db: [],
          plan: [],
        };
        let unknownCycles = 0;
        const unknownReasons = new Set<string>();
        let paths: SizeResult["paths"] = { pd: {}, prometheus: {} };
        for (let i = 0; i < options.cycles && (i < 3 || performance.now() < deadline); i++) {
          timed.reset();
          retries.pd = retries.prometheus = 0;
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
          samples.pdRetries.push(retries.pd);
          samples.prometheusRetries.push(retries.prometheus);
          paths = { pd: counts.pdPaths, prometheus: counts.prometheusPaths };
          if (report.unknown > 0) {
            unknownCycles++;
            for (const finding of report.findings) {
              if (finding.outcome === "unknown")
                unknownReasons.add(`${finding.invariant}: ${finding.reason}`);
            }
            for (const failure of Object.values(report.failures)) unknownReasons.add(failure);
          }
        }
        const youngMb = youngGenerationMb();
        const hotSpots = await profileHotSpots(() => monitor.runOnce());
        const summary = Object.fromEntries(
          Object.entries(samples).map(([series, values]) => [series, summarize(values)]),
        ) as Record<Series, Summary>;
        return {
          stores,
          ...summary,
          startMs: endpoints.startMs,
          scrapeIntervalMs,
          unknownCycles,
          unknownReasons: [...unknownReasons].slice(0, 3),
          hotSpots,
          coldCpu: cold.length === COLD_CYCLES ? summarize(cold) : undefined,
          warmupCycles,
          youngMb,
          paths,
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

function youngGenerationMb(): number {
  const young = getHeapSpaceStatistics().find((space) => space.space_name === "new_space");
  return (young?.space_size ?? 0) / (1024 * 1024);
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
  /** First attempts (requests minus retries) per cycle, which the subject's design decides. */
  const firstAttempts = (r: SizeResult, side: "pd" | "prometheus"): Summary => {
    const retries = side === "pd" ? r.pdRetries : r.prometheusRetries;
    return { ...r[side], median: r[side].median - retries.median };
  };
  const constant = (side: "pd" | "prometheus"): boolean | null => {
    if (results.length < 2) return null;
    return new Set(results.map((r) => firstAttempts(r, side).median)).size === 1;
  };
  const requestCounts = (side: "pd" | "prometheus"): string =>
    results.map((r) => `${num(firstAttempts(r, side).median, 0)} at ${num(r.stores, 0)}`).join(", ") ||
    "none";
  const targets: TargetCheck[] = [
    {
      measure: "PD requests per cycle vs cluster size",
      target: "the same count at every size",
      measured: requestCounts("pd"),
      met: constant("pd"),
    },
    {
      measure: "Prometheus requests per cycle vs cluster size",
      target: "the same count at every size",
      measured: requestCounts("prometheus"),
      met: constant("prometheus"),
    },
    ...[...CPU_TARGETS].map(([stores, targetMs]): TargetCheck => {
      const r = bySize.get(stores);
      return {
        measure: `CPU per cycle, ${num(stores, 0)} stores`,
        target: `< ${targetMs} ms`,
        measured: r ? `${num(r.cpu.median)} ms` : "not measured",
        met: r ? r.cpu.median < targetMs : null,
      };
    }),
  ];
  const first = results[0];
  const listPaths = (paths: Record<string, number>): string =>
    Object.entries(paths)
      .map(([p, n]) => (n > 1 ? `\`${p}\` ×${n}` : `\`${p}\``))
      .join(", ");
  const notes = [
    ...(first
      ? [
          `Requests of one cycle (${num(first.stores, 0)} stores): PD ${listPaths(first.paths.pd)}; ` +
            `Prometheus ${listPaths(first.paths.prometheus)}.`,
        ]
      : []),
    ...results.flatMap(({ coldCpu: cold, stores, cpu }) =>
      cold
        ? [
            `Cold start: the process's first ${COLD_CYCLES} cycles (${num(stores, 0)} stores, V8 still compiling) ` +
              `took ${num(cold.median)} ms of CPU each (median; ${num(cold.min)}–${num(cold.max)}), against ` +
              `${num(cpu.median)} ms once warm.`,
          ]
        : [],
    ),
    ...results
      .filter((r) => r.unknownCycles > 0)
      .map(
        (r) =>
          `${num(r.stores, 0)} stores: ${r.unknownCycles} of ${r.cpu.runs} measured cycles had unknown results ` +
          `(${r.unknownReasons.join("; ")}).`,
      ),
    ...[...failed].map(([stores, why]) => `${num(stores, 0)} stores: not measured: ${why}`),
  ];
  return {
    id: "cycle-cost",
    title: "Cycle cost against cluster size",
    method:
      "One monitor (the TiKV subject and the SQLite ticket store) runs in the benchmark process, under the V8 " +
      "setting `operator monitor` applies, set as the daemon sets it, after start (a small young generation " +
      "and heap growth: less memory, more CPU for the collector; the young generation's size is a row below); " +
      "the simulated " +
      `cluster, a real Prometheus and two counting proxies run in other processes, so CPU time here is the ` +
      `monitor's own (process.cpuUsage around runOnce(), all threads of the process). Each size first runs ` +
      `unmeasured warm-up cycles (up to ${options.warmup}, or ${num(options.warmupMs / 1000, 0)} s of them, at least ` +
      "one; row below), so that what is measured is the steady state of a daemon that runs for days, after V8 has " +
      "compiled its hot paths; the process's first cycles, before that, are noted apart. Then " +
      `up to ${options.cycles} measured cycles per size, fewer where they ` +
      `exceed ${num(options.budgetMs / 1000, 0)} s (at least 3); median (min–max). Database time is the time ` +
      "inside the store's recordCycle minus the monitor's planning callback (shown apart). Requests are counted " +
      "at the proxies; retries (the subject's `onRequest` hook, attempt > 0) are shown apart and the request target " +
      "is judged on first attempts. Wall time includes one loopback proxy hop per request and Prometheus's query " +
      `time; the subject's request timeout is ${REQUEST_TIMEOUT_MS / 1000} s so that a slow Prometheus shows as ` +
      "wall time rather than as unknown results. Prometheus scrapes less often on big clusters (row below; rate " +
      "and leader-drop windows 2m at 30 s, so that each spans several scrapes), since its own load is not what " +
      "is measured; cycles start once 95 % of the stores are up in Prometheus, and a store still missing is an " +
      "unknown result (noted below). The simulated cluster " +
      `has 100 regions per store, ${num(REGIONS_AT_10000, 0)} at 10,000 stores (row below).`,
    tables: [
      {
        columns: ["Per cycle", ...sizes.map((s) => `${num(s, 0)} stores`)],
        rows: [
          row("PD requests", (r) => r.pd, "", 0),
          row("… of which retries", (r) => r.pdRetries, "", 0),
          row("Prometheus requests", (r) => r.prometheus, "", 0),
          row("… of which retries", (r) => r.prometheusRetries, "", 0),
          row("CPU time", (r) => r.cpu, " ms"),
          [
            "CPU time relative to the smallest size",
            ...sizes.map((s) => {
              const r = bySize.get(s);
              const base = results[0];
              return r && base ? `${num(r.cpu.median / base.cpu.median, 1)}×` : "—";
            }),
          ],
          [
            "Warm-up cycles before these",
            ...sizes.map((s) => {
              const r = bySize.get(s);
              return r ? num(r.warmupCycles, 0) : "—";
            }),
          ],
          row("Wall time", (r) => r.wall, " ms"),
          row("Database time", (r) => r.db, " ms", 2),
          row("Planning time (in the transaction)", (r) => r.plan, " ms", 2),
          [
            "V8 young generation after the cycles",
            ...sizes.map((s) => {
              const r = bySize.get(s);
              return r ? `${num(r.youngMb)} MB` : "—";
            }),
          ],
          ["Regions in the cluster", ...sizes.map((s) => num(regionsFor(s) ?? 100 * s, 0))],
          [
            "Prometheus scrape interval",
            ...sizes.map((s) => {
              const r = bySize.get(s);
              return r ? `${num(r.scrapeIntervalMs / 1000)} s` : "—";
            }),
          ],
          [
            "Cluster + Prometheus ready after",
            ...sizes.map((s) => {
              const r = bySize.get(s);
              return r ? `${num(r.startMs / 1000)} s` : "—";
            }),
          ],
        ],
      },
      ...profiledSizes(results).flatMap(hotSpotTable),
    ],
    targets,
    notes,
  };
}

/** The sizes whose profile the report shows: {@link PROFILED_STORES} and the largest measured. */
function profiledSizes(results: readonly SizeResult[]): SizeResult[] {
  const picked = [results.find((r) => r.stores === PROFILED_STORES), results.at(-1)];
  return [...new Set(picked)].filter((r): r is SizeResult => r !== undefined);
}

/** Where one profiled cycle at one size spent its CPU time. */
function hotSpotTable(result: SizeResult): Table[] {
  if (result.hotSpots.length === 0) return [];
  return [
    {
      caption:
        `Where the CPU goes at ${num(result.stores, 0)} stores: functions by self time in one extra cycle run ` +
        "under V8's sampling profiler (not part of the medians above), as a share of the busy time.",
      columns: ["Function (file)", "Self time", "Share"],
      rows: result.hotSpots.map((h) => [`\`${h.where}\``, `${num(h.ms)} ms`, `${num(h.share * 100, 0)} %`]),
    },
  ];
}
