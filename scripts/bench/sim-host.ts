/**
 * Worker process hosting the simulated TiKV cluster, a real Prometheus scraping it, and counting
 * proxies in front of PD and Prometheus. It runs apart from the measured process so that the
 * simulator's CPU time and memory are not counted as the monitor's.
 */
import { type CountingProxy, startCountingProxy } from "./counting-proxy.ts";
import { startCluster, startPrometheus } from "./deps.ts";
import { serve } from "./worker.ts";

type Cluster = Awaited<ReturnType<typeof startCluster>>;
type Prometheus = Awaited<ReturnType<typeof startPrometheus>>;

/** Options of {@link SimHandlers.start}. */
export interface SimStartOptions {
  readonly stores: number;
  readonly scrapeIntervalMs: number;
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

/** A fault to inject into (or remove from) one store. */
export interface SimFault {
  readonly action: "stop" | "restart" | "slow" | "heal" | "fillDisk" | "freeDisk";
  readonly store: number;
}

let cluster: Cluster | undefined;
let prometheus: Prometheus | undefined;
let pdProxy: CountingProxy | undefined;
let prometheusProxy: CountingProxy | undefined;

const handlers = {
  async start(options: SimStartOptions): Promise<SimEndpoints> {
    const started = performance.now();
    cluster = await startCluster({ stores: options.stores });
    prometheus = await startPrometheus({
      targets: cluster.scrapeTargets,
      scrapeIntervalMs: options.scrapeIntervalMs,
    });
    await prometheus.waitForSamples();
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
  async fault(fault: SimFault): Promise<void> {
    if (!cluster) throw new Error("the cluster is not started");
    switch (fault.action) {
      case "stop":
        await cluster.stopStore(fault.store);
        break;
      case "restart":
        await cluster.startStore(fault.store);
        break;
      case "slow":
        cluster.slowStore(fault.store, 2);
        break;
      case "heal":
        cluster.slowStore(fault.store, 0.001);
        break;
      case "fillDisk":
        cluster.fillDisk(fault.store, 0.95);
        break;
      case "freeDisk":
        cluster.fillDisk(fault.store, 0.3);
        break;
    }
  },
  async stop(): Promise<void> {
    await shutdown();
  },
};

/** The methods this worker serves. */
export type SimHandlers = typeof handlers;

async function shutdown(): Promise<void> {
  await pdProxy?.close();
  await prometheusProxy?.close();
  await prometheus?.stop();
  await cluster?.close();
  pdProxy = prometheusProxy = prometheus = cluster = undefined;
}

serve(handlers, shutdown);
