import type { AlertRecorder } from "./alert-recorder.ts";
import type { ComparedInvariant } from "./alerting.ts";
import type { ComparisonSettings } from "./comparison.ts";
import type { Environment, MonitorRun } from "./harness.ts";
import { sleep, waitFor } from "./wait.ts";

/** The comparison scenarios, by id. */
export type ComparisonScenarioId =
  | "store-down"
  | "latency"
  | "disk-full"
  | "disk-full-store-restart"
  | "flapping-store"
  | "prometheus-restart";

/** What a scenario's `during` step gets. */
export interface ScenarioContext {
  readonly env: Environment;
  readonly run: MonitorRun;
  readonly recorder: AlertRecorder;
  readonly alert: string;
  readonly instance: string;
  readonly settings: ComparisonSettings;
}

/** One fault, injected under both the monitor and Prometheus's alerting rules. */
export interface ComparisonScenario {
  readonly id: ComparisonScenarioId;
  /** One line for the table. */
  readonly title: string;
  /** The monitor's invariant and, through {@link ALERT_NAMES}, Prometheus's rule. */
  readonly invariant: ComparedInvariant;
  readonly storeId: number;
  /**
   * Resolves the monitor may make while the fault lasts: 0, except where the semantics allow some
   * (flapping: monitor-semantics.md rule 5 trips at the third opening, after two resolves).
   */
  readonly allowedFalseResolves: number;
  /** Starts the fault (the clock starts just before). */
  inject(env: Environment): Promise<void> | void;
  /** Runs once both sides detected (or gave up): more trouble while the fault lasts, then a short hold. */
  during(context: ScenarioContext): Promise<void>;
}

const HOLD_MS = 3_000;
/** The opening of one key within 10 minutes at which flap detection must hold the ticket open (rule 5). */
const FLAP_TRIPS_AT_OPENING = 3;
const SLOW_P99_SECONDS = 2.5;
const FULL_DISK_RATIO = 0.9;

/** Every scenario, in the order the benchmark runs them. */
export const COMPARISON_SCENARIOS: readonly ComparisonScenario[] = [
  {
    id: "store-down",
    title: "A store stops and stays down",
    invariant: "store_down",
    storeId: 1,
    allowedFalseResolves: 0,
    inject: (env) => env.cluster.stopStore(1),
    during: () => sleep(HOLD_MS),
  },
  {
    id: "latency",
    title: "A store's p99 rises to 2.5 s and stays there",
    invariant: "high_latency",
    storeId: 2,
    allowedFalseResolves: 0,
    inject: (env) => env.cluster.slowStore(2, SLOW_P99_SECONDS),
    during: () => sleep(HOLD_MS),
  },
  {
    id: "disk-full",
    title: "A store's disk fills to 90 %",
    invariant: "low_disk_space",
    storeId: 3,
    allowedFalseResolves: 0,
    inject: (env) => env.cluster.fillDisk(3, FULL_DISK_RATIO),
    during: () => sleep(HOLD_MS),
  },
  {
    id: "disk-full-store-restart",
    title: "Disk at 90 %, then the store restarts (down 6 s); the disk stays full",
    invariant: "low_disk_space",
    storeId: 3,
    allowedFalseResolves: 0,
    inject: (env) => env.cluster.fillDisk(3, FULL_DISK_RATIO),
    async during({ env }) {
      await env.cluster.stopStore(3);
      await sleep(6_000);
      await env.cluster.startStore(3);
      await sleep(2 * HOLD_MS);
    },
  },
  {
    id: "flapping-store",
    title: "A store flaps: down and up every few seconds, for eight periods",
    invariant: "store_down",
    storeId: 1,
    allowedFalseResolves: FLAP_TRIPS_AT_OPENING - 1,
    inject: (env) => env.cluster.flapStore(1, flapPeriodMs(env)),
    async during({ env }) {
      await sleep(8 * flapPeriodMs(env));
    },
  },
  {
    id: "prometheus-restart",
    title: "A store's p99 stays at 2.5 s while Prometheus restarts",
    invariant: "high_latency",
    storeId: 2,
    allowedFalseResolves: 0,
    inject: (env) => env.cluster.slowStore(2, SLOW_P99_SECONDS),
    async during({ env, recorder, alert, instance, settings }) {
      await env.prometheus.restart();
      const backAt = Date.now();
      // Wait for the rule to fire again (it may have to sit out its `for` once more), then hold.
      await waitFor(() => recorder.timeline.firstFiring(alert, instance, backAt) !== null, {
        timeoutMs: settings.latencyForMs + 30_000,
        intervalMs: 250,
        description: `${alert} to fire again after the restart`,
      }).catch(() => undefined);
      await sleep(HOLD_MS);
    },
  },
];

/** A flap period in which each half is long enough for PD to report the store Disconnected. */
export function flapPeriodMs(env: Environment): number {
  return 2 * (env.disconnectMs + env.heartbeatMs) + 2_000;
}
