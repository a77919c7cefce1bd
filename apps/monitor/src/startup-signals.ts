import type { CliLogger } from "./logger.ts";

/** Signals that arrive while the daemon starts up (plugins loading, the demo's Prometheus warming up). */
export interface StartupSignals {
  /** Aborted when SIGINT or SIGTERM arrived during start-up: the loop stops as soon as it starts. */
  readonly signal: AbortSignal;
  /** Removes the handlers; the monitor's own take over. Idempotent. */
  release(): void;
}

const FORCED_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Catches SIGINT/SIGTERM until the monitor loop installs its own handlers, so that a signal during
 * start-up still ends with a clean stop (children such as the demo's Prometheus are stopped, the
 * database closed) instead of Node's default death. A second signal exits at once. SIGHUP during
 * start-up (the configuration is being read anyway) is logged and ignored rather than killing the
 * process.
 */
export function catchStartupSignals(logger: CliLogger): StartupSignals {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      logger.warn(`Received ${signal} again: exiting without waiting for start-up`);
      process.exit(FORCED_EXIT[signal] ?? 1);
    }
    logger.info(
      `Received ${signal} during start-up: stopping as soon as start-up is done (send it again to exit at once)`,
    );
    controller.abort();
  };
  const hangup = (): void => {
    logger.warn(
      "Received SIGHUP during start-up: ignored (the configuration is being read now); send it again once the monitor loop has started",
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  process.on("SIGHUP", hangup);
  return {
    signal: controller.signal,
    release() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
      process.off("SIGHUP", hangup);
    },
  };
}
