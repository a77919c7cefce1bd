import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subject } from "@operator/core";
import { TIKV_PACKAGE } from "./config.ts";
import type { CommandContext } from "./context.ts";
import { loadSubject } from "./load-subject.ts";
import type { CliLogger } from "./logger.ts";
import type { RunFlags, RunSettings } from "./settings.ts";

/** The simulated cluster's clock runs this many times faster than the wall clock. */
const DEMO_TIME_SCALE = 5;
/** The demo's cycle interval unless `--interval` is given. */
const DEMO_INTERVAL_MS = 2000;
/** When (after start) the scripted outage begins and ends. */
const OUTAGE_START_MS = 12_000;
const OUTAGE_END_MS = 50_000;
/** The store that goes down. */
const OUTAGE_STORE = 2;

/** A running demo: what to monitor, and how to tear the simulation down. */
export interface Demo {
  readonly run: { readonly settings: RunSettings; readonly subjects: readonly Subject[] };
  close(): Promise<void>;
}

/**
 * Starts the demo: a simulated three-store TiKV cluster (`@operator/tikv-sim`), a real Prometheus
 * scraping it when one is installed, and a scripted outage (store 2 stops, then comes back), monitored
 * every 2 s so that a ticket visibly opens and resolves within about a minute. Without Prometheus it
 * runs anyway and says which invariants will be unknown.
 */
export async function startDemo(
  ctx: CommandContext,
  settings: RunSettings,
  given: (flag: keyof RunFlags) => "cli" | "env" | undefined,
  logger: CliLogger,
): Promise<Demo> {
  const sim = await import("@operator/tikv-sim");
  logger.info("Demo: no --pd, PD_ENDPOINT or --config given, so monitoring a simulated TiKV cluster");
  const cluster = await sim.startCluster({ stores: 3, timeScale: DEMO_TIME_SCALE });
  const timers: NodeJS.Timeout[] = [];
  let prometheus: Awaited<ReturnType<typeof sim.startPrometheus>> | undefined;
  const close = async () => {
    for (const timer of timers) clearTimeout(timer);
    await prometheus?.stop().catch(() => undefined);
    await cluster.close();
  };
  try {
    try {
      prometheus = await sim.startPrometheus({ targets: cluster.scrapeTargets, scrapeIntervalMs: 1000 });
      logger.info("Demo: Prometheus started; waiting for its first scrapes (about 10 s)", {
        url: prometheus.url,
      });
      await prometheus.waitForSamples({ timeoutMs: 60_000 });
    } catch (error) {
      await prometheus?.stop().catch(() => undefined);
      prometheus = undefined;
      const hint =
        (error as Error).name === "PrometheusNotFoundError"
          ? "install it with `apt-get install -y --no-install-recommends prometheus` (or set PROMETHEUS_BIN)"
          : (error as Error).message.replace(/^\[operator\]\s*/, "");
      logger.warn(
        `Demo: running WITHOUT Prometheus: ${hint}. Store state comes from PD alone; latency, disk and CPU invariants will be unknown`,
      );
    }
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
    logger.info(
      `Demo: store ${OUTAGE_STORE} will stop in ${OUTAGE_START_MS / 1000} s and come back ${(OUTAGE_END_MS - OUTAGE_START_MS) / 1000} s later`,
      { db: dbPath },
    );
    timers.push(
      setTimeout(() => {
        logger.warn(
          `Demo: stopping store ${OUTAGE_STORE} (simulated crash); a store_down ticket should open`,
        );
        cluster.stopStore(OUTAGE_STORE);
      }, OUTAGE_START_MS),
      setTimeout(() => {
        logger.info(
          `Demo: starting store ${OUTAGE_STORE} again; its ticket should resolve on the next cycle`,
        );
        cluster.startStore(OUTAGE_STORE);
      }, OUTAGE_END_MS),
      setTimeout(
        () => {
          const db = resolve(ctx.cwd, dbPath);
          logger.info(
            `Demo: scenario complete. See the tickets with: operator tickets list --all --db ${db} ; Ctrl-C stops`,
          );
        },
        OUTAGE_END_MS + 3 * intervalMs,
      ),
    );
    return {
      run: { settings: { ...settings, dbPath, intervalMs, mode: "subjects" }, subjects: [subject] },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
