import type { SimCluster } from "./cluster.ts";
import type { FaultCommand } from "./control.ts";

/** One scripted change: at `atMs` real milliseconds after the scenario starts, apply `command`. */
export interface ScenarioStep {
  readonly atMs: number;
  readonly command: FaultCommand;
  /** What a reader of the log should expect, e.g. "a store_down ticket should open". */
  readonly note: string;
}

/** Options of {@link runScenario}. */
export interface ScenarioOptions {
  /** Aborting cancels the steps not yet applied. */
  readonly signal?: AbortSignal;
}

/**
 * The demo outage: store 2's process dies about 20 s in and comes back about 70 s in. At time scale 1
 * PD reports it Disconnected 20-30 s after the stop, so a monitor opens a ticket, then resolves it
 * after the restart, all within about two minutes.
 */
export const demoScenario: readonly ScenarioStep[] = [
  {
    atMs: 20_000,
    command: { fault: "stop-store", store: 2 },
    note: "store 2 stops (its process dies); PD will report it Disconnected",
  },
  {
    atMs: 70_000,
    command: { fault: "start-store", store: 2 },
    note: "store 2 starts again; it heartbeats PD at once",
  },
];

/**
 * Applies `steps` to `cluster` at their times, logging one line per step; resolves after the last
 * step (or at once when `signal` aborts). Steps run in `atMs` order.
 */
export async function runScenario(
  cluster: Pick<SimCluster, "apply">,
  steps: readonly ScenarioStep[],
  log: (line: string) => void = () => undefined,
  options: ScenarioOptions = {},
): Promise<void> {
  const started = Date.now();
  for (const step of [...steps].sort((a, b) => a.atMs - b.atMs)) {
    const aborted = await sleepUntil(started + step.atMs, options.signal);
    if (aborted) return;
    await cluster.apply(step.command);
    log(`[tikv-sim] ${clock(Date.now() - started)} ${step.note}`);
  }
}

// --- Internal helpers ---

function sleepUntil(deadline: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(false);
      },
      Math.max(0, deadline - Date.now()),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function clock(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}
