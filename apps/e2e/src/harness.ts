import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PdTls, startCluster, startPrometheus } from "@operator/tikv-sim";
import { onCleanup } from "./cleanup.ts";
import { type MonitorConfigOptions, writeMonitorConfig } from "./monitor-config.ts";
import { type MonitorProcess, startMonitorProcess } from "./monitor-process.ts";
import { type ListedTicket, listTickets } from "./operator-cli.ts";
import { waitFor } from "./wait.ts";

/** The simulated cluster, as `startCluster` returns it. */
export type Cluster = Awaited<ReturnType<typeof startCluster>>;
/** The Prometheus child process, as `startPrometheus` returns it. */
export type Prometheus = Awaited<ReturnType<typeof startPrometheus>>;

/** PD's hard-coded disconnect threshold, in simulated time. */
export const PD_DISCONNECT_SIM_MS = 20_000;

/**
 * The `rate()` range the daemons use unless a scenario says otherwise: four 1 s scrapes, so that one
 * scenario's latency has left the window before the next scenario starts.
 */
export const DEFAULT_RATE_WINDOW = "4s";

/** TiKV's store heartbeat interval, in simulated time. */
export const TIKV_HEARTBEAT_SIM_MS = 10_000;

/** How to start the shared part of a test file: one cluster and one Prometheus. */
export interface EnvironmentOptions {
  /** TiKV stores. @default 3 */
  readonly stores?: number;
  /** How much faster PD's clock runs; 20 makes its 20 s disconnect one real second. @default 20 */
  readonly timeScale?: number;
  /** Prometheus scrape and rule evaluation interval. @default 1000 */
  readonly scrapeIntervalMs?: number;
  /** Prometheus rule files (alerting rules for the comparison). */
  readonly ruleFiles?: readonly string[];
  /** Serve PD over https, requiring client certificates signed by `tls.ca`. */
  readonly tls?: PdTls;
}

/** A cluster and a Prometheus scraping it, shared by the scenarios of one file. */
export interface Environment {
  readonly cluster: Cluster;
  readonly prometheus: Prometheus;
  /** A temp directory removed on close: databases, config files. */
  readonly dir: string;
  readonly storeIds: readonly number[];
  /** PD's 20 s disconnect threshold in real milliseconds. */
  readonly disconnectMs: number;
  /** TiKV's 10 s store heartbeat interval in real milliseconds. */
  readonly heartbeatMs: number;
  /** The Prometheus `instance` label of a store's metrics. */
  instanceOf(storeId: number): string;
  /** Starts a daemon with its own database and subject name. */
  startMonitor(options: MonitorRunOptions): Promise<MonitorRun>;
  /** Stops (SIGTERM) every daemon started here that still runs. */
  stopMonitors(): Promise<void>;
  /** Clears every injected fault: stores started, latency and disk back to normal, PD healthy. */
  resetFaults(): Promise<void>;
  /** Stops the daemons started here, Prometheus and the cluster, and removes the temp directory. */
  close(): Promise<void>;
}

/** One scenario's daemon: its subject, config and database. */
export interface MonitorRunOptions {
  /** Subject name, unique per scenario so keys tell them apart. */
  readonly subject: string;
  /** Cycle interval. @default 1000 */
  readonly intervalMs?: number;
  readonly invariants?: MonitorConfigOptions["invariants"];
  /** Options of the tikv plugin. @default { rateWindow: DEFAULT_RATE_WINDOW } */
  readonly subjectOptions?: MonitorConfigOptions["subjectOptions"];
  readonly settings?: MonitorConfigOptions["settings"];
  /** PD's URL as the daemon is given it (e.g. a fault proxy in front of the cluster's PD). @default the cluster's PD */
  readonly pdUrl?: string;
  /** Further `operator monitor` arguments, e.g. `--listen`. */
  readonly extraArgs?: readonly string[];
  /** Wait for this many heartbeats before returning. @default 1 */
  readonly warmupHeartbeats?: number;
}

/** A scenario's daemon, restartable on the same database. */
export interface MonitorRun {
  readonly subject: string;
  readonly dbPath: string;
  readonly configPath: string;
  readonly intervalMs: number;
  /** The current process (replaced by {@link MonitorRun.restart}). */
  readonly process: MonitorProcess;
  /** Every ticket, through `operator tickets list --json --all`. */
  tickets(): Promise<ListedTicket[]>;
  /** Tickets of `invariant` (and `entity`, if given). */
  ticketsOf(invariant: string, entity?: string): Promise<ListedTicket[]>;
  /**
   * Polls the ticket list until a ticket matches `predicate` and returns it.
   * @param description what is awaited, for the timeout message
   */
  waitForTicket(
    predicate: (ticket: ListedTicket) => boolean,
    description: string,
    timeoutMs?: number,
  ): Promise<ListedTicket>;
  /** Starts a new process on the same database and config (after a stop or a kill). */
  restart(): Promise<MonitorProcess>;
  /** SIGTERM and wait (SIGKILL after 15 s). */
  stop(): ReturnType<MonitorProcess["stop"]>;
}

/** Starts the cluster and Prometheus, waiting until Prometheus has samples of every store. */
export async function startEnvironment(options: EnvironmentOptions = {}): Promise<Environment> {
  const timeScale = options.timeScale ?? 20;
  const scrapeIntervalMs = options.scrapeIntervalMs ?? 1000;
  const dir = await mkdtemp(join(tmpdir(), "operator-e2e-"));
  const removeDir = onCleanup(() => rm(dir, { recursive: true, force: true }));
  const cluster = await startCluster({
    stores: options.stores ?? 3,
    timeScale,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const closeCluster = onCleanup(() => cluster.close());
  const prometheus = await startPrometheus({
    targets: cluster.scrapeTargets,
    pdTargets: cluster.pdScrapeTargets,
    scrapeIntervalMs,
    evaluationIntervalMs: scrapeIntervalMs,
    ruleFiles: [...(options.ruleFiles ?? [])],
  });
  const stopPrometheus = onCleanup(() => prometheus.stop());
  await prometheus.waitForSamples();
  const storeIds = cluster.stores.map((store) => store.id);
  const runs = new Set<MonitorRun>();

  const environment: Environment = {
    cluster,
    prometheus,
    dir,
    storeIds,
    disconnectMs: PD_DISCONNECT_SIM_MS / timeScale,
    heartbeatMs: TIKV_HEARTBEAT_SIM_MS / timeScale,
    instanceOf(storeId) {
      const store = cluster.stores.find((s) => s.id === storeId);
      if (!store) throw new Error(`No store ${storeId} in the simulated cluster`);
      return store.statusAddress;
    },
    async startMonitor(runOptions) {
      const run = await _startRun(environment, runOptions);
      runs.add(run);
      return run;
    },
    async stopMonitors() {
      await Promise.allSettled([...runs].map((run) => run.stop()));
      runs.clear();
    },
    async resetFaults() {
      await cluster.clearFaults();
      // A scenario may have stopped Prometheus (scenario 8): then there is no scrape to wait for.
      if (prometheus.pid !== undefined) await waitForFreshScrape(prometheus, Date.now());
    },
    async close() {
      await environment.stopMonitors();
      await prometheus.stop();
      stopPrometheus();
      await cluster.close();
      closeCluster();
      await rm(dir, { recursive: true, force: true });
      removeDir();
    },
  };
  return environment;
}

/** Waits until the daemon's newest heartbeat says every invariant passes. */
export async function waitForAllPassing(run: MonitorRun, timeoutMs = 60_000): Promise<void> {
  await waitFor(() => /all passing/.test(run.process.heartbeats().at(-1)?.text ?? ""), {
    timeoutMs,
    intervalMs: 200,
    description: () => `an "all passing" heartbeat from ${run.subject}\n${run.process.transcript()}`,
  });
}

// --- Internal helpers ---

/**
 * Waits until Prometheus has scraped every target after `sinceMs`, so that the next scenario's first
 * cycle reads the cleared cluster, not the previous scenario's last samples (a full disk, say).
 */
async function waitForFreshScrape(prometheus: Prometheus, sinceMs: number): Promise<void> {
  const since = (sinceMs / 1000).toFixed(3);
  await waitFor(
    async () => {
      const [all] = await prometheus.query("count(up)");
      const [fresh] = await prometheus.query(`count(timestamp(up) > ${since})`);
      return all !== undefined && fresh !== undefined && fresh.value >= all.value;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 200,
      description: "a scrape of every target after the faults were cleared",
    },
  );
}

/** How long a daemon gets to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 15_000;

async function _startRun(env: Environment, options: MonitorRunOptions): Promise<MonitorRun> {
  const intervalMs = options.intervalMs ?? 1000;
  const dbPath = join(env.dir, `${options.subject}.db`);
  const configPath = await writeMonitorConfig(env.dir, {
    subject: options.subject,
    pdUrl: options.pdUrl ?? env.cluster.pdUrl,
    prometheusUrl: env.prometheus.url,
    ...(options.invariants ? { invariants: options.invariants } : {}),
    subjectOptions: { rateWindow: DEFAULT_RATE_WINDOW, ...options.subjectOptions },
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const launch = () =>
    startMonitorProcess({
      dbPath,
      configPath,
      intervalMs,
      ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
    });
  let current = launch();
  let unregister = onCleanup(() => current.stop(STOP_GRACE_MS));
  const run: MonitorRun = {
    subject: options.subject,
    dbPath,
    configPath,
    intervalMs,
    get process() {
      return current;
    },
    tickets: () => listTickets(dbPath),
    async ticketsOf(invariant, entity) {
      const all = await listTickets(dbPath);
      return all.filter((t) => t.invariant === invariant && (entity === undefined || t.entity === entity));
    },
    async waitForTicket(predicate, description, timeoutMs = 30_000) {
      return waitFor(async () => (await listTickets(dbPath)).find(predicate), {
        timeoutMs,
        intervalMs: 300,
        description: () =>
          `${description} (daemon output:\n${current.transcript().split("\n").slice(-30).join("\n")})`,
      });
    },
    async restart() {
      await current.stop(STOP_GRACE_MS);
      unregister();
      current = launch();
      unregister = onCleanup(() => current.stop(STOP_GRACE_MS));
      return current;
    },
    async stop() {
      const exit = await current.stop(STOP_GRACE_MS);
      unregister();
      return exit;
    },
  };
  await current.waitForHeartbeat({ after: 0, count: options.warmupHeartbeats ?? 1, timeoutMs: 60_000 });
  return run;
}
