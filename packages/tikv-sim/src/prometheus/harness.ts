import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScrapeTarget } from "../cluster.ts";
import { PrometheusHarnessError, PrometheusNotFoundError } from "../errors.ts";
import { prometheusConfig } from "./config.ts";
import { freePort } from "./free-port.ts";
import { instantQuery, type PromSample } from "./query.ts";

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  readonly targets: readonly ScrapeTarget[];
  /** Also scrape PD's own metrics as job `pd` (e.g. `[cluster.pdScrapeTarget]`). @default none */
  readonly pdTargets?: readonly ScrapeTarget[];
  /** @default 1000 */
  readonly scrapeIntervalMs?: number;
  /** @default the scrape interval */
  readonly evaluationIntervalMs?: number;
  /** Alerting/recording rule files to load (absolute paths). */
  readonly ruleFiles?: readonly string[];
  /** @default $PROMETHEUS_BIN, else /usr/bin/prometheus */
  readonly binary?: string;
  /** Keep the TSDB here instead of a temporary directory (which is removed on stop). */
  readonly dataDir?: string;
}

/** Options of {@link PrometheusHarness.waitForSamples}. */
export interface WaitForSamplesOptions {
  /** Targets that must be up. @default every target */
  readonly targets?: number;
  /** Also wait until every such target has two samples, so `rate()` has data. @default true */
  readonly rate?: boolean;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

/** A real Prometheus child process on 127.0.0.1, scraping the simulated stores. */
export interface PrometheusHarness {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The child's process id while it runs (for CPU measurements). */
  readonly pid: number | undefined;
  /** Instant query (now, or at `time` in unix seconds); one sample per series. */
  query(promql: string, options?: { readonly time?: number }): Promise<PromSample[]>;
  /** Polls `count(up == 1)` (and two samples per target) until every target has been scraped. */
  waitForSamples(options?: WaitForSamplesOptions): Promise<void>;
  /** Rewrites the TiKV scrape targets (PD targets stay) and reloads the configuration. */
  setTargets(targets: readonly ScrapeTarget[]): Promise<void>;
  /** `POST /-/reload`. */
  reload(): Promise<void>;
  /** Stops and starts the process on the same port and data directory. */
  restart(): Promise<void>;
  /** SIGTERM, waits for exit, removes the temporary directory. */
  stop(): Promise<void>;
  /** SIGKILL at once (synchronous, for crash paths). */
  kill(): void;
}

const READY_TIMEOUT_MS = 30_000;
/** Running children and their temporary directories, cleaned up if the Node process exits first. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

/**
 * Starts Prometheus with a generated config scraping `targets`, and resolves once its HTTP API is
 * ready. The first scrape follows about 5-6 s later: call `waitForSamples()` before querying.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHarness> {
  const binary = options.binary ?? process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new PrometheusNotFoundError(binary);
  }
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), "tikv-sim-prometheus-"));
  const dataDir = options.dataDir ?? join(dir, "data");
  const configFile = join(dir, "prometheus.yml");
  const interval = options.scrapeIntervalMs ?? 1000;
  const renderConfig = (targets: readonly ScrapeTarget[]): string =>
    prometheusConfig({
      targets,
      scrapeIntervalMs: interval,
      evaluationIntervalMs: options.evaluationIntervalMs ?? interval,
      ruleFiles: options.ruleFiles ?? [],
      pdTargets: options.pdTargets ?? [],
    });
  writeFileSync(configFile, renderConfig(options.targets));
  const pdCount = options.pdTargets?.length ?? 0;
  let targetCount = options.targets.length + pdCount;
  let port = await freePort();
  let child: ChildProcess | null = null;
  let log = "";
  const url = (): string => `http://127.0.0.1:${port}`;

  const launch = async (): Promise<void> => {
    await mkdir(dataDir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      log = "";
      child = spawn(
        binary,
        [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${dataDir}`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--web.enable-lifecycle",
          "--storage.tsdb.retention.time=1h",
          "--log.level=warn",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      live.set(child, dir);
      if (child.pid !== undefined) watch(child.pid, dir);
      const collect = (chunk: Buffer): void => {
        log = (log + chunk.toString()).slice(-8_000);
      };
      child.stdout?.on("data", collect);
      child.stderr?.on("data", collect);
      const started = child;
      child.once("exit", () => live.delete(started));
      try {
        await waitReady(url(), started, () => log);
        return;
      } catch (error) {
        started.kill("SIGKILL");
        if (attempt < 3 && /address already in use/.test(log)) {
          port = await freePort();
          continue;
        }
        throw error;
      }
    }
  };

  const terminate = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGTERM");
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    get url() {
      return url();
    },
    get pid() {
      return (child as ChildProcess | null)?.pid;
    },
    query: (promql, at) => instantQuery(url(), promql, at?.time === undefined ? {} : { time: at.time }),
    waitForSamples: async (wait = {}) => {
      const want = wait.targets ?? targetCount;
      const promql =
        wait.rate === false ? "count(up == 1)" : "count(count_over_time(up[1m]) >= 2 and up == 1)";
      const deadline = Date.now() + (wait.timeoutMs ?? 60_000);
      let seen = 0;
      for (;;) {
        const [sample] = await instantQuery(url(), promql).catch(() => []);
        seen = sample?.value ?? 0;
        if (seen >= want) return;
        if (Date.now() > deadline) {
          throw new PrometheusHarnessError(
            `Prometheus scraped ${seen} of ${want} targets in time (${promql})\n${log}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    setTargets: async (targets) => {
      targetCount = targets.length + pdCount;
      const tmp = `${configFile}.tmp`;
      await writeFile(tmp, renderConfig(targets));
      await rename(tmp, configFile);
      await reload(url());
    },
    reload: () => reload(url()),
    restart: async () => {
      await terminate();
      await launch();
    },
    stop: async () => {
      await terminate();
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => {
      const running = child;
      child = null;
      running?.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// --- Internal helpers ---

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new PrometheusHarnessError(
        `Prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`,
      );
    }
    const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline)
      throw new PrometheusHarnessError(`Prometheus was not ready within ${READY_TIMEOUT_MS} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function reload(url: string): Promise<void> {
  const res = await fetch(`${url}/-/reload`, { method: "POST" });
  if (!res.ok)
    throw new PrometheusHarnessError(
      `Prometheus reload failed with status ${res.status}: ${await res.text()}`,
    );
}

/**
 * A shell that outlives us if we are killed outright (SIGKILL, a test runner tearing down a worker):
 * it then kills Prometheus and removes its directory. It leaves quietly when Prometheus exits first.
 */
function watch(prometheusPid: number, dir: string): void {
  const script = [
    'while kill -0 "$1" 2>/dev/null; do',
    '  kill -0 "$2" 2>/dev/null || exit 0',
    "  sleep 1",
    "done",
    'kill -9 "$2" 2>/dev/null',
    'rm -rf "$3"',
  ].join("\n");
  const watchdog = spawn(
    "/bin/sh",
    ["-c", script, "tikv-sim-watchdog", String(process.pid), String(prometheusPid), dir],
    {
      stdio: "ignore",
      detached: true,
    },
  );
  watchdog.on("error", () => undefined);
  watchdog.unref();
}

/** Children must not outlive the process that started them, even when a test run crashes. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const [child, dir] of live) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
