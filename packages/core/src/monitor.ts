import { type CycleTicketEvent, cycleEvents } from "./cycle-events.ts";
import { cycleId } from "./cycle-id.ts";
import { OperatorError } from "./errors.ts";
import { errorMessage } from "./evaluation.ts";
import { formatHeartbeat } from "./heartbeat.ts";
import { isLeaseLost } from "./leases.ts";
import { type MonitorOptions, resolveMonitorOptions } from "./monitor-options.ts";
import { readSubjects } from "./observe-subject.ts";
import { configuredInvariants, type OrphanResolution } from "./orphans.ts";
import { type Finding, type PlannedCycle, planCycle, type SubjectCycleInput } from "./plan-cycle.ts";
import type { CycleSnapshot } from "./store.ts";
import type { Subject } from "./subject.ts";
import type { Ticket } from "./ticket.ts";

export type { MonitorOptions } from "./monitor-options.ts";

/** What one cycle saw and did. */
export interface CycleReport {
  /** The cycle id (ISO start time + sequence), also the batch key of the tickets it opened. */
  readonly id: string;
  readonly startedAt: number;
  readonly durationMs: number;
  /** Enabled invariants evaluated (or attempted) across all subjects. */
  readonly invariants: number;
  /** Violated results, whether or not their grace period has passed. */
  readonly violations: number;
  /** Unknown results (one per invariant that could not be evaluated at all). */
  readonly unknown: number;
  readonly opened: readonly Ticket[];
  readonly resolved: readonly Ticket[];
  /** Subjects that could not be read, with why. */
  readonly failures: Readonly<Record<string, string>>;
  /** Secondary sources that could not be read: reason by source name, by subject. */
  readonly sourceFailures: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Every ticket event the cycle wrote (opened, severity changed, flapping, resolved with its reason). */
  readonly events: readonly CycleTicketEvent[];
  /** Every violated and unknown result. */
  readonly findings: readonly Finding[];
  /** Ticks this cycle missed by running longer than the interval. */
  readonly missedTicks: number;
}

/** What {@link Monitor.replaceSubjects} did. */
export interface SubjectSwap {
  /** Names of subjects that were not watched before. */
  readonly added: readonly string[];
  /** Names of subjects no longer watched. */
  readonly removed: readonly string[];
  /** Names watched before and after (their new instances replace the old ones). */
  readonly kept: readonly string[];
  /** The orphaned tickets resolved (or left open because held); undefined when the store failed. */
  readonly orphans: OrphanResolution | undefined;
}

/** A monitor loop over some subjects. */
export interface Monitor {
  /** Runs one cycle now (after any cycle in flight). Rejects if the store fails. */
  runOnce(): Promise<CycleReport>;
  /**
   * Runs cycles every interval until {@link Monitor.stop} or `signal`; resolves after the cycle in
   * flight finished, subjects were disposed and `Monitor loop stopped` was logged. A cycle that fails
   * (e.g. the store cannot write) is logged and the loop goes on.
   */
  run(options?: { readonly signal?: AbortSignal }): Promise<void>;
  /** Stops: no new cycle starts; the one in flight finishes (its reads aborted after the grace). */
  stop(): Promise<void>;
  /**
   * Watches `subjects` from the next cycle on, never mid-cycle: waits for the cycle in flight, swaps,
   * resolves the tickets orphaned by the new set through the store's `resolveOrphans` (a store
   * failure is logged and leaves them for the next swap or start), then disposes every old subject
   * instance that is not in the new set. Key states of subjects kept stay in the store untouched, so
   * grace periods, flap histories and open tickets carry on. Throws a {@link ConfigError} (and swaps
   * nothing) on subjects {@link createMonitor} would refuse, or once the monitor is stopping; the
   * caller then still owns (and disposes) the subjects it passed.
   */
  replaceSubjects(subjects: readonly Subject[]): Promise<SubjectSwap>;
  /** The subjects watched now (those of the latest {@link Monitor.replaceSubjects}, else the options'). */
  readonly subjects: readonly Subject[];
  /** Ticks missed since creation because a cycle overran the interval. */
  readonly missedTicks: number;
  /** Cycles that failed (the store threw) since creation. */
  readonly failedCycles: number;
  readonly lastCycle: CycleReport | undefined;
  /**
   * Milliseconds since the last cycle completed, on the monotonic clock (never negative, whatever the
   * wall clock does); undefined before the first cycle completes.
   */
  lastCycleAgeMs(): number | undefined;
}

/** Creates a monitor. Throws a {@link ConfigError} on options or subjects that cannot work. */
export function createMonitor(options: MonitorOptions): Monitor {
  const settings = resolveMonitorOptions(options);
  const { store, intervalMs, deadlineMs, logger, now, monotonic } = settings;
  let subjects: readonly Subject[] = settings.subjects;
  let sequence = 0;
  let lastDecision: { readonly at: number; readonly mono: number } | undefined;
  let lastCompletedMono: number | undefined;
  let missedTicks = 0;
  let failedCycles = 0;
  let lastCycle: CycleReport | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let current: AbortController | undefined;
  let stopping = false;
  let loop: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let disposed: Promise<void> | undefined;
  const { leadership } = options;
  const unsubscribe = leadership?.onChange((change) => {
    if (change.leader) wake?.();
  });

  /**
   * The wall-clock time decisions are made at: the wall clock, unless it is behind the previous
   * decision (it stepped back); then the previous decision plus the monotonic time elapsed since, so a
   * backward step neither stalls nor stretches anything, and times never go backwards in a process.
   */
  function decisionTime(): number {
    const wall = now();
    const mono = monotonic();
    const at =
      lastDecision === undefined || wall >= lastDecision.at
        ? wall
        : lastDecision.at + Math.max(0, Math.round(mono - lastDecision.mono));
    lastDecision = { at, mono };
    return at;
  }

  async function cycle(): Promise<CycleReport> {
    const watched = leadership ? subjects.filter((subject) => leadership.leads(subject.name)) : subjects;
    const monoStart = monotonic();
    const startedAt = decisionTime();
    const id = cycleId(startedAt, ++sequence);
    const controller = new AbortController();
    current = controller;
    const timer = setTimeout(
      () => controller.abort(new OperatorError(`cycle deadline of ${deadlineMs}ms passed`)),
      deadlineMs,
    );
    let inputs: SubjectCycleInput[];
    try {
      inputs = await readSubjects(watched, controller.signal, startedAt + deadlineMs);
    } finally {
      clearTimeout(timer);
      current = undefined;
    }
    let planned: PlannedCycle | undefined;
    let before: CycleSnapshot["openTickets"] = new Map();
    const names = watched.map((subject) => subject.name);
    const result = await store.recordCycle(
      names,
      (snapshot) => {
        before = snapshot.openTickets;
        planned = planCycle(
          {
            id,
            startedAt,
            now: decisionTime(),
            subjects: inputs,
            unreachableAfter: settings.unreachableAfter,
            flap: settings.flap,
          },
          snapshot,
        );
        return planned;
      },
      leadership ? { fence: leadership.fence(names) } : undefined,
    );
    const plan = planned;
    if (!plan) throw new OperatorError("The ticket store returned without running the cycle's plan");
    const durationMs = Math.max(0, monotonic() - monoStart);
    const report: CycleReport = {
      id,
      startedAt,
      durationMs,
      invariants: plan.log.invariants,
      violations: plan.log.violations,
      unknown: plan.log.unknown,
      opened: result.opened,
      resolved: result.resolved,
      failures: plan.log.failures,
      sourceFailures: plan.sourceFailures,
      events: cycleEvents(plan, result.opened, before),
      findings: plan.findings,
      missedTicks: overrun(durationMs),
    };
    log(report, inputs);
    lastCycle = report;
    lastCompletedMono = monotonic();
    try {
      options.onCycle?.(report);
    } catch (error) {
      logger.error(`onCycle failed: ${errorMessage(error)}`, { cycle: id });
    }
    return report;
  }

  function overrun(durationMs: number): number {
    if (durationMs <= intervalMs) return 0;
    const missed = Math.ceil(durationMs / intervalMs) - 1;
    missedTicks += missed;
    logger.warn(
      `Cycle took ${durationMs}ms, longer than the ${intervalMs}ms interval: ${missed} tick${missed === 1 ? "" : "s"} missed`,
      { durationMs, intervalMs, missed, missedTicks },
    );
    return missed;
  }

  function log(report: CycleReport, inputs: readonly SubjectCycleInput[]) {
    for (const [subject, reason] of Object.entries(report.failures)) {
      logger.warn(`Subject "${subject}" could not be read: ${reason}`, { cycle: report.id, subject, reason });
    }
    for (const [subject, sources] of Object.entries(report.sourceFailures)) {
      for (const [source, reason] of Object.entries(sources)) {
        logger.warn(`Source "${source}" of subject "${subject}" could not be read: ${reason}`, {
          cycle: report.id,
          subject,
          source,
          reason,
        });
      }
    }
    for (const subject of inputs) {
      for (const invariant of subject.invariants) {
        const { outcome } = invariant;
        if (outcome.kind === "unknown" && outcome.fault) {
          logger.warn(
            `Invariant "${invariant.name}" of "${subject.name}" could not be evaluated: ${outcome.reason}`,
            {
              cycle: report.id,
              subject: subject.name,
              invariant: invariant.name,
            },
          );
        }
      }
    }
    logger.info(formatHeartbeat(report), {
      cycle: report.id,
      durationMs: report.durationMs,
      invariants: report.invariants,
      violations: report.violations,
      unknown: report.unknown,
      opened: report.opened.length,
      resolved: report.resolved.length,
      missedTicks: report.missedTicks,
    });
  }

  function exclusive(): Promise<CycleReport> {
    const next = chain.then(cycle, cycle);
    chain = next.catch(() => undefined);
    return next;
  }

  async function runLoop(): Promise<void> {
    while (!stopping) {
      const startedAt = monotonic();
      try {
        if (leadsAny()) await exclusive();
      } catch (error) {
        if (isLeaseLost(error)) {
          logger.warn(`Cycle not recorded: ${error.message}`, { subjects: error.subjects });
        } else {
          failedCycles++;
          logger.error(`Cycle failed: ${errorMessage(error)}`, { failedCycles });
        }
        overrun(Math.max(0, monotonic() - startedAt));
      }
      // A timer may fire a fraction of a millisecond early: sleep again rather than start early, so
      // cycle starts are at least one interval apart and grace periods count whole cycles.
      for (let wait = startedAt + intervalMs - monotonic(); !stopping && wait > 0; ) {
        if (await sleep(wait)) break;
        wait = startedAt + intervalMs - monotonic();
      }
    }
    await dispose();
    logger.info("Monitor loop stopped");
  }

  /** Sleeps `ms`; resolves true when woken early by `wake` (a stop, a subject gained). */
  function sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      function done(woken: boolean) {
        clearTimeout(timer);
        wake = undefined;
        resolve(woken);
      }
      wake = () => done(true);
    });
  }

  /** Whether a cycle has anything to do: always, unless leadership says this replica leads nothing. */
  function leadsAny(): boolean {
    return leadership === undefined || subjects.some((subject) => leadership.leads(subject.name));
  }

  function dispose(): Promise<void> {
    unsubscribe?.();
    disposed ??= disposeAll(subjects);
    return disposed;
  }

  async function disposeAll(some: readonly Subject[]): Promise<void> {
    for (const subject of some) {
      try {
        await subject.dispose?.();
      } catch (error) {
        logger.warn(`Subject "${subject.name}" failed to dispose: ${errorMessage(error)}`, {
          subject: subject.name,
        });
      }
    }
  }

  async function swap(next: readonly Subject[]): Promise<SubjectSwap> {
    if (stopping) throw new OperatorError("The monitor is stopping");
    const old = subjects;
    subjects = next;
    const before = new Set(old.map((subject) => subject.name));
    const after = new Set(next.map((subject) => subject.name));
    let orphans: OrphanResolution | undefined;
    try {
      orphans = await store.resolveOrphans(configuredInvariants(next), decisionTime());
    } catch (error) {
      logger.error(`Cannot resolve orphaned tickets: ${errorMessage(error)}`);
    }
    const kept = new Set(next);
    await disposeAll(old.filter((subject) => !kept.has(subject)));
    return {
      added: [...after].filter((name) => !before.has(name)),
      removed: [...before].filter((name) => !after.has(name)),
      kept: [...after].filter((name) => before.has(name)),
      orphans,
    };
  }

  const monitor: Monitor = {
    runOnce() {
      if (stopping) return Promise.reject(new OperatorError("The monitor is stopped"));
      return exclusive();
    },
    run(runOptions = {}) {
      if (loop) return Promise.reject(new OperatorError("The monitor loop is already running"));
      if (stopping) return Promise.reject(new OperatorError("The monitor is stopped"));
      const { signal } = runOptions;
      if (signal?.aborted) stopping = true;
      signal?.addEventListener("abort", () => void monitor.stop(), { once: true });
      loop = runLoop();
      return loop;
    },
    replaceSubjects(next) {
      try {
        resolveMonitorOptions({ ...options, subjects: next });
      } catch (error) {
        return Promise.reject(error);
      }
      if (stopping) return Promise.reject(new OperatorError("The monitor is stopping"));
      const swapped = chain.then(() => swap(next));
      chain = swapped.catch(() => undefined);
      return swapped;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wake?.();
        const inFlight = current;
        const grace = inFlight
          ? setTimeout(
              () => inFlight.abort(new OperatorError("the monitor is stopping")),
              settings.stopGraceMs,
            )
          : undefined;
        try {
          await chain;
          if (loop) await loop;
          else await dispose();
        } finally {
          clearTimeout(grace);
        }
      })();
      return stopped;
    },
    get subjects() {
      return subjects;
    },
    get missedTicks() {
      return missedTicks;
    },
    get failedCycles() {
      return failedCycles;
    },
    get lastCycle() {
      return lastCycle;
    },
    lastCycleAgeMs() {
      return lastCompletedMono === undefined ? undefined : Math.max(0, monotonic() - lastCompletedMono);
    },
  };
  return monitor;
}
