import type { FlapOptions } from "../flapping.ts";
import type { Logger } from "../logger.ts";
import { createMemoryTicketStore } from "../memory-store.ts";
import { type CycleReport, createMonitor } from "../monitor.ts";
import type { TicketStore } from "../store.ts";
import type { Subject } from "../subject.ts";
import { memoryLogger } from "./memory-logger.ts";

/** A clock tests move by hand. */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
  set(at: number): void;
}

/** A {@link ManualClock} starting at `start` (epoch ms). @default 2026-01-01T00:00:00Z */
export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let at = start;
  return {
    now: () => at,
    advance: (ms) => {
      at += ms;
    },
    set: (value) => {
      at = value;
    },
  };
}

/** Options of {@link runCycles}. */
export interface RunCyclesOptions<S extends TicketStore> {
  readonly subjects: Subject | readonly Subject[];
  /** How many cycles to run. */
  readonly cycles: number;
  /** Clock time between cycles, and the monitor's interval (its deadline is 80 % of it). @default 30_000 */
  readonly intervalMs?: number;
  /** @default a new memory store */
  readonly store?: S;
  /** @default a new manual clock */
  readonly clock?: ManualClock;
  readonly unreachableAfter?: number;
  readonly flap?: Partial<FlapOptions>;
  /** @default a memory logger */
  readonly logger?: Logger;
}

/**
 * Runs `cycles` monitor cycles back to back on a manual clock that advances by the interval between
 * them, so a plugin's invariants can be driven through grace periods and clear windows without
 * waiting. Reads still run in real time, bounded by the deadline. Subjects are not disposed.
 */
export async function runCycles<S extends TicketStore = ReturnType<typeof createMemoryTicketStore>>(
  options: RunCyclesOptions<S>,
): Promise<{ reports: CycleReport[]; store: S; clock: ManualClock }> {
  const clock = options.clock ?? manualClock();
  const store = options.store ?? (createMemoryTicketStore({ now: clock.now }) as unknown as S);
  const intervalMs = options.intervalMs ?? 30_000;
  const subjects: readonly Subject[] = Array.isArray(options.subjects)
    ? options.subjects
    : [options.subjects];
  const monitor = createMonitor({
    subjects,
    store,
    intervalMs,
    now: clock.now,
    logger: options.logger ?? memoryLogger().logger,
    ...(options.unreachableAfter === undefined ? {} : { unreachableAfter: options.unreachableAfter }),
    ...(options.flap ? { flap: options.flap } : {}),
  });
  const reports: CycleReport[] = [];
  for (let i = 0; i < options.cycles; i++) {
    if (i > 0) clock.advance(intervalMs);
    reports.push(await monitor.runOnce());
  }
  return { reports, store, clock };
}
