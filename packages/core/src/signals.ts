import { errorMessage } from "./evaluation.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import type { Monitor } from "./monitor.ts";

/** The part of Node's `process` that {@link stopOnSignals} uses. */
export interface SignalTarget {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code?: number): unknown;
}

/** Options of {@link stopOnSignals}. */
export interface StopOnSignalsOptions {
  /** @default ["SIGINT", "SIGTERM"] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called on the second signal. @default exits at once with 130 (SIGINT) or 143 (SIGTERM) */
  readonly onForceExit?: (signal: NodeJS.Signals) => void;
  /** @default globalThis.process */
  readonly process?: SignalTarget;
  /** @default consoleLogger */
  readonly logger?: Logger;
}

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Graceful shutdown (monitor-semantics rule 10): the first signal stops the monitor (no new cycle;
 * the one in flight finishes, its reads aborted after the stop grace); a second signal calls
 * `onForceExit` at once. Returns a function that removes the handlers.
 */
export function stopOnSignals(
  monitor: Pick<Monitor, "stop">,
  options: StopOnSignalsOptions = {},
): () => void {
  const target = options.process ?? process;
  const logger = options.logger ?? consoleLogger;
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const forceExit = options.onForceExit ?? ((signal) => target.exit(EXIT_CODES[signal] ?? 1));
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    received++;
    if (received > 1) {
      logger.warn(`Received ${signal} again: exiting without waiting for the cycle in flight`, { signal });
      forceExit(signal);
      return;
    }
    logger.info(`Received ${signal}: finishing the cycle in flight (send it again to exit at once)`, {
      signal,
    });
    monitor.stop().catch((error: unknown) => {
      logger.error(`Stopping the monitor failed: ${errorMessage(error)}`, { signal });
    });
  };
  for (const signal of signals) target.on(signal, handler);
  return () => {
    for (const signal of signals) target.off(signal, handler);
  };
}
