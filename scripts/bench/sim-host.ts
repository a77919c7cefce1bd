/**
 * Worker process hosting the simulated TiKV cluster, a real Prometheus scraping it, and counting
 * proxies in front of PD and Prometheus. It runs apart from the measured process so that the
 * simulator's CPU time and memory are not counted as the monitor's.
 */

import { type FaultCommand, startCluster, startPrometheus } from "../../packages/tikv-sim/src/index.ts";
import { type CountingProxy, startCountingProxy } from "./counting-proxy.ts";
import { serve } from "./worker.ts";

type Cluster = Awaited<ReturnType<typeof startCluster>>;
type Prometheus = Awaited<ReturnType<typeof startPrometheus>>;

/** Options of {@link SimHandlers.start}. */
export interface SimStartOptions {
  readonly stores: number;
  /** Regions in the cluster. @default 100 per store */
  readonly regions?: number;
  readonly scrapeIntervalMs: number;
  /** Simulated seconds per real second (PD's 20 s disconnect takes 20 / timeScale s). @default 1 */
  readonly timeScale?: number;
  /** Give up if Prometheus has not scraped every store twice by then. @default 600000 */
  readonly readyTimeoutMs?: number;
}

/** Where the monitor should point: the counting proxies' URLs. */
export interface SimEndpoints {
  readonly pdUrl: string;
  readonly prometheusUrl: string;
  /** How long the cluster and Prometheus took to be ready (ms). */
  readonly startMs: number;
}

/** Requests seen since the previous call. */
export interface SimCounts {
  readonly pd: number;
  readonly prometheus: number;
  readonly pdPaths: Record<string, number>;
  readonly prometheusPaths: Record<string, number>;
}

let cluster: Cluster | undefined;
let prometheus: Prometheus | undefined;
let pdProxy: CountingProxy | undefined;
let prometheusProxy: CountingProxy | undefined;

const handlers = {
  async start(options: SimStartOptions): Promise<SimEndpoints> {
    const started = performance.now();
    cluster = await startCluster({
      stores: options.stores,
      timeScale: options.timeScale ?? 1,
      ...(options.regions === undefined ? {} : { regions: options.regions }),
    });
    prometheus = await startPrometheus({
      targets: cluster.scrapeTargets,
      pdTargets: cluster.pdScrapeTargets,
      scrapeIntervalMs: options.scrapeIntervalMs,
    });
    await waitForScrapes(
      prometheus,
      cluster.scrapeTargets.length + cluster.pdScrapeTargets.length,
      options.scrapeIntervalMs,
      options.readyTimeoutMs ?? 600_000,
    );
    pdProxy = await startCountingProxy(cluster.pdUrl);
    prometheusProxy = await startCountingProxy(prometheus.url);
    return {
      pdUrl: pdProxy.url,
      prometheusUrl: prometheusProxy.url,
      startMs: performance.now() - started,
    };
  },
  counts(): SimCounts {
    const counts = {
      pd: pdProxy?.count() ?? 0,
      prometheus: prometheusProxy?.count() ?? 0,
      pdPaths: pdProxy?.byPath() ?? {},
      prometheusPaths: prometheusProxy?.byPath() ?? {},
    };
    pdProxy?.reset();
    prometheusProxy?.reset();
    return counts;
  },
  async fault(command: FaultCommand): Promise<void> {
    if (!cluster) throw new Error("the cluster is not started");
    await cluster.apply(command);
  },
  async stop(): Promise<void> {
    await shutdown();
  },
};

/** The methods this worker serves. */
export type SimHandlers = typeof handlers;

/** Share of the stores that must be up at once: on a loaded machine a few scrapes of thousands time out. */
const READY_SHARE = 0.95;

/**
 * Waits until (nearly) every target is up, then two more scrape intervals so `rate()` has data. Polls with
 * patience: with thousands of targets Prometheus needs minutes to reach all of them, and a query that
 * times out under that load says nothing (it is not counted as zero).
 */
async function waitForScrapes(
  prom: Prometheus,
  targets: number,
  intervalMs: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let best = 0;
  for (;;) {
    const samples = await prom.query("count(up == 1)").catch(() => null);
    if (samples !== null) {
      const seen = samples[0]?.value ?? 0;
      if (seen >= Math.ceil(targets * READY_SHARE)) break;
      if (seen > best && targets > 100)
        process.stderr.write(`[bench] sim: ${seen}/${targets} stores scraped\n`);
      best = Math.max(best, seen);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Prometheus had scraped at most ${best} of ${targets} stores after ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, 5000)));
  }
  await new Promise((resolve) => setTimeout(resolve, 2 * intervalMs + 1000));
}

async function shutdown(): Promise<void> {
  await pdProxy?.close();
  await prometheusProxy?.close();
  await prometheus?.stop();
  await cluster?.close();
  pdProxy = prometheusProxy = prometheus = cluster = undefined;
}

serve(handlers, shutdown);
