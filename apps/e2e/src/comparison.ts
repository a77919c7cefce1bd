import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordAlerts } from "./alert-recorder.ts";
import {
  ALERT_NAMES,
  alertExpressions,
  type ComparedInvariant,
  fetchAlerts,
  SCRAPED_INVARIANTS,
  writeAlertingRules,
} from "./alerting.ts";
import {
  COMPARISON_SCENARIOS,
  type ComparisonScenario,
  type ComparisonScenarioId,
} from "./comparison-scenarios.ts";
import { type Environment, PD_DISCONNECT_SIM_MS, startEnvironment, waitForAllPassing } from "./harness.ts";
import { cycleStartOf, type OutputLine } from "./monitor-process.ts";
import { firstScrapeShowing } from "./scrape-times.ts";
import { sleep, waitFor } from "./wait.ts";

/** Options of {@link runDetectionComparison}. */
export interface ComparisonOptions {
  /** Scenarios to run, in this order. @default every scenario */
  readonly scenarios?: readonly ComparisonScenarioId[];
  /** PD's clock speed-up. @default 20 */
  readonly timeScale?: number;
  /** The monitor's cycle interval, and Prometheus's scrape and evaluation interval. @default 1000 */
  readonly intervalMs?: number;
  /** Grace period of high_latency on both sides. @default 10_000 */
  readonly latencyForMs?: number;
  /** `rate()` range on both sides. @default "4s" */
  readonly rateWindow?: string;
  /**
   * Where in the monitor's cycle each fault is injected: the fraction of the interval since the start
   * of a cycle, in [0, 1). A real fault strikes at any moment of a cycle; setting it lets runs spread
   * evenly over the cycle. @default a random phase per scenario
   */
  readonly phase?: number;
  /** Progress lines (scenario started, detected, ...). */
  readonly log?: (line: string) => void;
}

/** What one side (the monitor or Prometheus's alerting) did during one scenario. */
export interface SideResult {
  /** Milliseconds from the fault to the ticket opening / the alert firing; `null` if it never did. */
  readonly detectMs: number | null;
  /**
   * Milliseconds from the fault to the first evaluation that saw it, of the ticket or alert counted in
   * `detectMs` (the ticket's `firstSeenAt`, the alert's `activeAt`): the `for` counts from there.
   */
  readonly firstSeenMs: number | null;
  /** Tickets opened / alerts that started firing while the fault lasted. */
  readonly opened: number;
  /** Resolves while the fault was still there. */
  readonly falseResolves: number;
}

/** One row of the comparison table. */
export interface ComparisonRow {
  readonly scenario: ComparisonScenarioId;
  readonly title: string;
  readonly invariant: ComparedInvariant;
  readonly alert: string;
  /** Resolves the monitor may make while the fault lasts (see {@link ComparisonScenario}). */
  readonly allowedFalseResolves: number;
  /** How long the fault lasted, ms. */
  readonly faultMs: number;
  /** Where in the monitor's cycle the fault was injected (see {@link ComparisonOptions.phase}). */
  readonly phase: number;
  /**
   * Milliseconds from the fault to the scrape whose samples first showed it (the rule's expression true
   * at that scrape's timestamp), which both sides then read, each at its own next look; `null` where the
   * monitor reads another source (store_down: PD's store state) or no scrape showed it.
   */
  readonly scrapedMs: number | null;
  readonly operator: SideResult;
  readonly prometheus: SideResult;
}

/** The settings a comparison ran with, for the table's preamble. */
export interface ComparisonSettings {
  readonly timeScale: number;
  readonly intervalMs: number;
  readonly latencyForMs: number;
  readonly rateWindow: string;
  readonly storeDownForMs: number;
  /** The phase of the monitor's cycle faults were injected at; `null`: a random one per scenario. */
  readonly phase: number | null;
}

/** Rows plus the settings they were measured with. */
export interface ComparisonResult {
  readonly settings: ComparisonSettings;
  readonly rows: readonly ComparisonRow[];
}

/**
 * Injects the same faults under the monitor and under Prometheus's own alerting rules (equivalent
 * expressions, thresholds and `for`, loaded into the same Prometheus that the monitor reads), and
 * measures per scenario how long each took to notice and how often each resolved while the fault was
 * still there.
 */
export async function runDetectionComparison(options: ComparisonOptions = {}): Promise<ComparisonResult> {
  const settings: ComparisonSettings = {
    timeScale: options.timeScale ?? 20,
    intervalMs: options.intervalMs ?? 1000,
    latencyForMs: options.latencyForMs ?? 10_000,
    rateWindow: options.rateWindow ?? "4s",
    storeDownForMs: PD_DISCONNECT_SIM_MS / (options.timeScale ?? 20),
    phase: options.phase ?? null,
  };
  if (settings.phase !== null && !(settings.phase >= 0 && settings.phase < 1)) {
    throw new RangeError(`phase must be in [0, 1), got ${settings.phase}`);
  }
  const log = options.log ?? (() => {});
  const ids = options.scenarios ?? COMPARISON_SCENARIOS.map((s) => s.id);
  const rulesDir = await mkdtemp(join(tmpdir(), "operator-e2e-rules-"));
  let env: Environment | undefined;
  try {
    const ruleFile = await writeAlertingRules(rulesDir, { ...settings });
    env = await startEnvironment({
      stores: 3,
      timeScale: settings.timeScale,
      scrapeIntervalMs: settings.intervalMs,
      ruleFiles: [ruleFile],
    });
    const rows: ComparisonRow[] = [];
    for (const id of ids) {
      const scenario = COMPARISON_SCENARIOS.find((s) => s.id === id);
      if (!scenario) throw new Error(`Unknown comparison scenario "${id}"`);
      log(`comparison: ${scenario.id}: ${scenario.title}`);
      const row = await _runScenario(env, scenario, settings);
      log(
        `comparison: ${scenario.id}: operator ${_ms(row.operator.detectMs)} (${row.operator.falseResolves} false resolves), ` +
          `prometheus ${_ms(row.prometheus.detectMs)} (${row.prometheus.falseResolves} false resolves)`,
      );
      rows.push(row);
    }
    return { settings, rows };
  } finally {
    await env?.close();
    await rm(rulesDir, { recursive: true, force: true });
  }
}

/**
 * How often Prometheus's alerts are read: its detection is the first read that shows the alert
 * firing, so this much may be added to its figure (a twentieth of the rule evaluation interval).
 */
export const ALERT_POLL_MS = 50;

/**
 * Milliseconds from `now` to the next moment that is `phase` of an interval after the start of a
 * cycle, given one cycle's start (cycles start every `intervalMs`).
 */
export function msUntilPhase(cycleStartedAt: number, intervalMs: number, phase: number, now: number): number {
  const ahead = (cycleStartedAt + phase * intervalMs - now) % intervalMs;
  return ahead < 0 ? ahead + intervalMs : ahead;
}

// --- Internal helpers ---

async function _runScenario(
  env: Environment,
  scenario: ComparisonScenario,
  settings: ComparisonSettings,
): Promise<ComparisonRow> {
  await env.resetFaults();
  await _waitForNoAlerts(env);
  const run = await env.startMonitor({
    subject: `cmp-${scenario.id}`,
    intervalMs: settings.intervalMs,
    subjectOptions: { rateWindow: settings.rateWindow },
    invariants: { high_latency: { for: `${settings.latencyForMs}ms` } },
  });
  const recorder = recordAlerts(() => env.prometheus.url, ALERT_POLL_MS);
  const alert = ALERT_NAMES[scenario.invariant];
  const instance = env.instanceOf(scenario.storeId);
  const key = `${run.subject}/${scenario.invariant}/${scenario.storeId}`;
  try {
    await waitForAllPassing(run);
    const beat = run.process.heartbeats().at(-1) as OutputLine;
    const phase = settings.phase ?? Math.random();
    await sleep(msUntilPhase(cycleStartOf(beat), settings.intervalMs, phase, Date.now()));
    const startedAt = Date.now();
    await scenario.inject(env);
    const detectTimeoutMs = settings.latencyForMs + 60_000;
    await waitFor(
      async () =>
        recorder.timeline.firstFiring(alert, instance, startedAt) !== null &&
        (await run.tickets()).some((t) => t.key === key && t.createdAt >= startedAt),
      { timeoutMs: detectTimeoutMs, intervalMs: 300, description: `both sides to detect ${scenario.id}` },
    ).catch(() => undefined);
    const scrapedAt = SCRAPED_INVARIANTS.has(scenario.invariant)
      ? await firstScrapeShowing(
          env.prometheus,
          alertExpressions(settings)[scenario.invariant],
          instance,
          startedAt,
        )
      : null;
    await scenario.during({ env, run, recorder, alert, instance, settings });
    const endedAt = Date.now();
    if (run.process.exit) {
      throw new Error(
        `The daemon exited during ${scenario.id} (${JSON.stringify(run.process.exit)}):\n${run.process.transcript()}`,
      );
    }
    const tickets = (await run.tickets()).filter((t) => t.key === key);
    const timeline = await recorder.stop();
    const first = tickets
      .filter((t) => t.createdAt >= startedAt)
      .sort((a, b) => a.createdAt - b.createdAt)[0];
    const firing = timeline.firstFiring(alert, instance, startedAt);
    const active = timeline.firstActive(alert, instance, startedAt);
    const prometheusDetected = firing !== null && firing <= endedAt;
    return {
      scenario: scenario.id,
      title: scenario.title,
      invariant: scenario.invariant,
      alert,
      allowedFalseResolves: scenario.allowedFalseResolves,
      faultMs: endedAt - startedAt,
      phase,
      scrapedMs: scrapedAt === null ? null : scrapedAt - startedAt,
      operator: {
        detectMs: first ? first.createdAt - startedAt : null,
        firstSeenMs: first ? first.firstSeenAt - startedAt : null,
        opened: tickets.filter((t) => t.createdAt >= startedAt && t.createdAt <= endedAt).length,
        falseResolves: tickets.filter(
          (t) => t.resolvedAt !== null && t.resolvedAt >= startedAt && t.resolvedAt <= endedAt,
        ).length,
      },
      prometheus: {
        detectMs: prometheusDetected ? firing - startedAt : null,
        firstSeenMs: prometheusDetected && active !== null ? active - startedAt : null,
        opened: timeline.firings(alert, instance, startedAt, endedAt),
        falseResolves: timeline.resolves(alert, instance, startedAt, endedAt),
      },
    };
  } finally {
    await recorder.stop();
    await run.stop();
    await env.resetFaults();
  }
}

async function _waitForNoAlerts(env: Environment): Promise<void> {
  await waitFor(async () => (await fetchAlerts(env.prometheus.url)).length === 0, {
    timeoutMs: 60_000,
    intervalMs: 300,
    description: "Prometheus to have no pending or firing alerts",
  });
}

function _ms(ms: number | null): string {
  return ms === null ? "no detection" : `${(ms / 1000).toFixed(1)} s`;
}
