import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subject } from "@operator/core";
import { UsageError } from "@operator/core";
import type { NotifySpec } from "./config.ts";
import type { CommandContext } from "./context.ts";
import { describeDb, isPostgresDb } from "./db-target.ts";
import { TIKV_PACKAGE } from "./defaults.ts";
import { demoListenAddress, pageUrl } from "./demo-listen.ts";
import { type DemoWebhook, startDemoWebhook } from "./demo-webhook.ts";
import { loadSubject } from "./load-subject.ts";
import type { CliLogger } from "./logger.ts";
import type { RunFlags, RunSettings } from "./settings.ts";
import { redactingSubject } from "./subjects.ts";

/** The demo's cycle interval unless `--interval` is given. */
const DEMO_INTERVAL_MS = 2000;

/** The name of the demo's `webhook` channel to its local receiver. */
export const DEMO_WEBHOOK_CHANNEL = "demo-webhook";

/**
 * A running demo: what to monitor (its settings' `notify` adds the channel to the demo's webhook
 * receiver to the configured ones), and how to tear the simulation and the receiver down.
 */
export interface Demo {
  readonly run: { readonly settings: RunSettings; readonly subjects: readonly Subject[] };
  close(): Promise<void>;
}

/**
 * Starts the demo: a simulated three-store TiKV cluster (`@operator/tikv-sim`), a real Prometheus
 * scraping it when one is installed, and the simulator's scripted outage (`demoScenario`: store 2
 * stops about 20 s in and comes back about 70 s in), monitored every 2 s so that a ticket visibly
 * opens and resolves within about two minutes. Without Prometheus it runs anyway and says which
 * invariants will be unknown. The database is a new temporary file unless `--db`/`OPERATOR_DB` is given.
 * A local webhook receiver (`startDemoWebhook`) gets every notification through a `webhook` channel
 * named {@link DEMO_WEBHOOK_CHANNEL} and logs one line for each, so the store-down ticket's opening
 * and resolve show as notifications too. It serves the page (and the API and metrics) on `--listen`,
 * by default on a free port of 127.0.0.1, and prints the page's URL.
 */
export async function startDemo(
  ctx: CommandContext,
  settings: RunSettings,
  given: (flag: keyof RunFlags) => "cli" | "env" | undefined,
  logger: CliLogger,
): Promise<Demo> {
  const sim = await importSimulator();
  logger.info("Demo: monitoring a simulated TiKV cluster (--demo)");
  const cluster = await sim.startCluster({ stores: 3 });
  const script = new AbortController();
  let prometheus: Awaited<ReturnType<typeof sim.startPrometheus>> | undefined;
  let webhook: DemoWebhook | undefined;
  const close = async () => {
    script.abort();
    await webhook?.close().catch(() => undefined);
    await prometheus?.stop().catch(() => undefined);
    await cluster.close();
  };
  try {
    prometheus = await _startPrometheus(sim, cluster, logger);
    webhook = await startDemoWebhook(logger);
    logger.info(
      `Demo: webhook receiver at ${webhook.url}; each notification it receives is logged as [demo webhook]`,
    );
    const demoChannel: NotifySpec = {
      type: "webhook",
      name: DEMO_WEBHOOK_CHANNEL,
      options: { name: DEMO_WEBHOOK_CHANNEL, url: webhook.url },
      resolveFrom: [],
      origin: "demo",
    };
    const subject = await loadSubject({
      packageName: TIKV_PACKAGE,
      options: {
        name: "demo",
        pdUrl: cluster.pdUrl,
        ...(prometheus ? { prometheusUrl: prometheus.url, rateWindow: "30s" } : {}),
      },
      resolveFrom: [],
      origin: "demo",
    });
    const dbPath =
      given("db") !== undefined && settings.dbPath !== null
        ? settings.dbPath
        : join(mkdtempSync(join(tmpdir(), "operator-demo-")), "operator.db");
    const intervalMs = given("interval") !== undefined ? settings.intervalMs : DEMO_INTERVAL_MS;
    const steps = sim.demoScenario.map((step) => `at ${Math.round(step.atMs / 1000)} s ${step.note}`);
    logger.info(`Demo: the script: ${steps.join("; ")}`);
    const db = isPostgresDb(dbPath) ? describeDb(dbPath) : resolve(ctx.cwd, dbPath);
    const listen = await demoListenAddress(settings.listen);
    logger.info(
      `Demo: the web page is at ${pageUrl(listen)} : open it to watch the store-down ticket open and resolve`,
    );
    void sim
      .runScenario(cluster, sim.demoScenario, (line) => logger.warn(`Demo: ${line}`), {
        signal: script.signal,
      })
      .then(() => new Promise((done) => setTimeout(done, 5 * intervalMs).unref()))
      .then(() => {
        if (script.signal.aborted) return;
        logger.info(
          `Demo: script complete. See the tickets with: operator tickets list --all --db ${db} ; Ctrl-C stops`,
        );
      })
      .catch((error: unknown) => logger.error(`Demo: the script failed: ${(error as Error).message}`));
    return {
      run: {
        settings: {
          ...settings,
          dbPath,
          intervalMs,
          listen,
          mode: "subjects",
          notify: [...settings.notify, demoChannel],
        },
        subjects: [redactingSubject(subject)],
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The package the demo's simulated cluster comes from; a development dependency, not a runtime one. */
export const SIMULATOR_PACKAGE = "@operator/tikv-sim";

/**
 * Imports the simulator package (`specifier`, {@link SIMULATOR_PACKAGE} unless a test names another);
 * when it is not installed (a production install of the CLI), throws a {@link UsageError} saying the
 * demo needs it. Other failures are thrown as they are.
 */
export async function importSimulator(specifier: string = SIMULATOR_PACKAGE): Promise<Sim> {
  try {
    return (await import(specifier)) as Sim;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const missing = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
    if (missing && String(message).includes(specifier)) {
      throw new UsageError(
        `The demo needs ${specifier} installed (a development dependency of operator): run it from a checkout with ./dev, or install ${specifier} next to operator`,
        { cause: error },
      );
    }
    throw error;
  }
}

// --- Internal helpers ---

type Sim = typeof import("@operator/tikv-sim");

/** Starts Prometheus and waits for its first scrapes; undefined (with a warning saying why) when it cannot. */
async function _startPrometheus(
  sim: Sim,
  cluster: Pick<Awaited<ReturnType<Sim["startCluster"]>>, "scrapeTargets" | "pdScrapeTargets">,
  logger: CliLogger,
): Promise<Awaited<ReturnType<Sim["startPrometheus"]>> | undefined> {
  let prometheus: Awaited<ReturnType<Sim["startPrometheus"]>> | undefined;
  try {
    prometheus = await sim.startPrometheus({
      targets: cluster.scrapeTargets,
      pdTargets: cluster.pdScrapeTargets,
      scrapeIntervalMs: 1000,
    });
    logger.info(`Demo: Prometheus started at ${prometheus.url}; waiting for its first scrapes (about 10 s)`);
    await prometheus.waitForSamples({ timeoutMs: 60_000 });
    return prometheus;
  } catch (error) {
    await prometheus?.stop().catch(() => undefined);
    const hint =
      (error as Error).name === "PrometheusNotFoundError"
        ? "install it with `apt-get install -y --no-install-recommends prometheus` (or set PROMETHEUS_BIN)"
        : (error as Error).message.replace(/^\[operator\]\s*/, "");
    logger.warn(
      `Demo: running WITHOUT Prometheus: ${hint}. Store states come from PD alone; latency, disk and CPU invariants will be unknown`,
    );
    return undefined;
  }
}
