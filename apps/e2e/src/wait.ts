/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Give up after this long. @default 30_000 */
  readonly timeoutMs?: number;
  /** Pause between probes. @default 250 */
  readonly intervalMs?: number;
  /**
   * What is awaited, for the error message, e.g. `a store_down ticket for store 2`; a function is
   * called at the timeout, so it can describe the state at that moment.
   */
  readonly description?: string | (() => string);
}

/** Thrown by {@link waitFor} when the condition did not hold in time. Carries the last probe's outcome. */
export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
  constructor(
    readonly description: string,
    readonly timeoutMs: number,
    readonly lastValue: unknown,
    readonly lastError: unknown,
  ) {
    super(
      `Timed out after ${timeoutMs} ms waiting for ${description}` +
        (lastError ? `; last probe failed: ${String(lastError)}` : `; last value: ${_preview(lastValue)}`),
    );
  }
}

/**
 * Thrown by a probe to stop {@link waitFor} at once: the awaited condition can no longer come true
 * (e.g. the daemon exited).
 */
export class GiveUpError extends Error {
  override name = "GiveUpError";
}

/**
 * Polls `probe` until it returns a truthy value and resolves with that value. A probe that throws is
 * retried like one that returned nothing (the system under test may be between states); the last error
 * is reported on timeout. A {@link GiveUpError} ends the wait at once.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, false | null | undefined | 0 | "">> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let lastValue: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      lastError = undefined;
      lastValue = value;
      if (value) return value as Exclude<T, false | null | undefined | 0 | "">;
    } catch (error) {
      if (error instanceof GiveUpError) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const { description = "a condition" } = options;
      const text = typeof description === "function" ? description() : description;
      throw new WaitTimeoutError(text, timeoutMs, lastValue, lastError);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Resolves after `ms` milliseconds. For pacing fault injection, never for correctness. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- Internal helpers ---

function _preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
