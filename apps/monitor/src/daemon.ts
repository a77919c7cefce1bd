import type { Subject } from "@operator/core";
import { ConfigError, createMonitor, formatDuration } from "@operator/core";
import type { CliLogger } from "./logger.ts";
import { createMonitorMetrics, type MetricsServer, startMetricsServer } from "./metrics-server.ts";
import { openStore } from "./open-store.ts";
import type { RunSettings } from "./settings.ts";
import { describeSubject, disposeSubjects } from "./subjects.ts";

/** What {@link runDaemon} runs. */
export interface DaemonOptions {
  readonly settings: RunSettings;
  readonly subjects: readonly Subject[];
  readonly logger: CliLogger;
}

/** Exit codes after a second signal, as shells report death by that signal. */
const FORCED_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs the monitor loop until SIGTERM or SIGINT: opens (or creates) the database, serves metrics when
 * asked, and on the first signal lets the cycle in flight finish, then closes everything and logs
 * `Monitor loop stopped`. A second signal exits at once.
 */
export async function runDaemon({ settings, subjects, logger }: DaemonOptions): Promise<void> {
  if (settings.dbPath === null) throw new ConfigError("The monitor needs a database (--db)");
  const store = await openStore(settings.dbPath);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      logger.warn(`${signal} received again: exiting now`);
      process.exit(FORCED_EXIT[signal] ?? 1);
    }
    logger.info(
      `${signal} received: finishing the cycle in flight, then stopping (send it again to exit at once)`,
    );
    controller.abort();
  };
  let server: MetricsServer | undefined;
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    const metrics = createMonitorMetrics();
    if (settings.listen) {
      try {
        server = await startMetricsServer({
          listen: settings.listen,
          metrics,
          intervalMs: settings.intervalMs,
        });
      } catch (error) {
        const { host, port } = settings.listen;
        throw new ConfigError(`Cannot listen on ${host}:${port}: ${(error as Error).message}`);
      }
    }
    const monitor = createMonitor({
      subjects,
      store,
      intervalMs: settings.intervalMs,
      ...(settings.deadlineMs !== undefined ? { deadlineMs: settings.deadlineMs } : {}),
      ...(settings.unreachableAfter !== undefined ? { unreachableAfter: settings.unreachableAfter } : {}),
      logger,
      onCycle: (report) => {
        let open: ReturnType<typeof store.openTicketCounts> | undefined;
        try {
          open = store.openTicketCounts();
        } catch (error) {
          logger.warn(`Cannot count open tickets: ${(error as Error).message}`);
        }
        metrics.recordCycle(report, open);
      },
    });
    logger.info(
      `Monitor loop started: ${subjects.map(describeSubject).join(", ")}, every ${formatDuration(settings.intervalMs)}`,
      { db: settings.dbPath, ...(server ? { metrics: `${server.url}/metrics` } : {}) },
    );
    await monitor.run({ signal: controller.signal });
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await server?.close();
    await disposeSubjects(subjects);
    store.close();
  }
  logger.info("Monitor loop stopped");
}
