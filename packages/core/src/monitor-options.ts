import { checkSubject } from "./check-subject.ts";
import { checkDurationMs } from "./duration.ts";
import { ConfigError } from "./errors.ts";
import { type FlapOptions, resolveFlapOptions } from "./flapping.ts";
import type { Leadership } from "./leadership.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import type { CycleReport } from "./monitor.ts";
import type { TicketStore } from "./store.ts";
import type { Subject } from "./subject.ts";
import { DEFAULT_UNREACHABLE_AFTER } from "./unreachable.ts";

/** Options of `createMonitor`. */
export interface MonitorOptions {
  /** The systems to watch; names must be unique. */
  readonly subjects: readonly Subject[];
  /** Where tickets and key states live. */
  readonly store: TicketStore;
  /** Time between cycle starts. @default 30_000 */
  readonly intervalMs?: number;
  /** Time after a cycle's start at which outstanding reads are aborted; below the interval. @default 80 % of intervalMs */
  readonly deadlineMs?: number;
  /** On stop, reads still out this long are aborted. @default min(deadlineMs, 10_000) */
  readonly stopGraceMs?: number;
  /** Consecutive failed reads of a subject before its `subject_unreachable` ticket opens. @default 3 */
  readonly unreachableAfter?: number;
  /** Flap detection thresholds. @default DEFAULT_FLAP_OPTIONS */
  readonly flap?: Partial<FlapOptions>;
  /** @default consoleLogger */
  readonly logger?: Logger;
  /** The wall clock (epoch ms), for the times stored on tickets. @default Date.now */
  readonly now?: () => number;
  /**
   * A monotonic clock (ms, any origin) that schedules cycles and measures durations; wall-clock steps
   * do not affect it. @default performance.now
   */
  readonly monotonic?: () => number;
  /** Called with every completed cycle's report. */
  readonly onCycle?: (report: CycleReport) => void;
  /**
   * When replicas share the store: each cycle reads and writes only the subjects this replica leads
   * (fenced by their leases), no cycle runs while it leads none, and gaining a subject starts a
   * cycle at once. Without it every subject is cycled.
   */
  readonly leadership?: Pick<Leadership, "leads" | "fence" | "onChange">;
}

/**
 * Checks every option of `createMonitor` except the store (durations, deadline below the interval,
 * flap thresholds, `unreachableAfter`, each subject's shape and unique names) without building a
 * monitor, so a command can refuse bad settings before it opens a database. Throws the same
 * {@link ConfigError} `createMonitor` would.
 */
export function checkMonitorOptions(options: Omit<MonitorOptions, "store">): void {
  _resolveWithoutStore(options);
}

/** Checks the options and fills in the defaults. Throws a {@link ConfigError} naming the problem. */
export function resolveMonitorOptions(options: MonitorOptions) {
  if (!options.store || typeof options.store.recordCycle !== "function") {
    throw new ConfigError("Missing required option `store` (a TicketStore)");
  }
  return { ..._resolveWithoutStore(options), store: options.store };
}

// --- Internal helpers ---

function _resolveWithoutStore(options: Omit<MonitorOptions, "store">) {
  const intervalMs = checkDurationMs(options.intervalMs ?? 30_000, "interval");
  if (intervalMs <= 0) throw new ConfigError(`Invalid interval: ${intervalMs}ms (expected more than 0)`);
  const deadlineMs = checkDurationMs(options.deadlineMs ?? Math.floor(intervalMs * 0.8), "deadline");
  if (deadlineMs <= 0 || deadlineMs >= intervalMs) {
    throw new ConfigError(
      `Invalid deadline: ${deadlineMs}ms (expected more than 0 and below the ${intervalMs}ms interval)`,
    );
  }
  const stopGraceMs = checkDurationMs(options.stopGraceMs ?? Math.min(deadlineMs, 10_000), "stop grace");
  if (options.flap?.windowMs !== undefined) checkDurationMs(options.flap.windowMs, "flap window");
  const unreachableAfter = options.unreachableAfter ?? DEFAULT_UNREACHABLE_AFTER;
  if (!Number.isInteger(unreachableAfter) || unreachableAfter < 1) {
    throw new ConfigError(
      `Invalid unreachableAfter: ${unreachableAfter} (expected a whole number of cycles, 1 or more)`,
    );
  }
  const names = new Set<string>();
  for (const subject of options.subjects ?? []) {
    checkSubject(subject);
    if (names.has(subject.name)) throw new ConfigError(`Two subjects are named "${subject.name}"`);
    names.add(subject.name);
  }
  const clock = options.now ?? (() => Date.now());
  return {
    subjects: options.subjects ?? [],
    intervalMs,
    deadlineMs,
    stopGraceMs,
    unreachableAfter,
    flap: resolveFlapOptions(options.flap),
    logger: options.logger ?? consoleLogger,
    now: clock,
    monotonic: options.monotonic ?? (() => performance.now()),
  };
}
