/** Backoff settings of the dispatcher. */
export interface BackoffOptions {
  /** The first retry waits up to this long. @default 1_000 */
  readonly initialMs?: number;
  /** No retry waits longer than this (unless the receiver asked for longer). @default 60_000 */
  readonly maxMs?: number;
  /** Longest `retryAfterMs` honoured; longer requests are cut to this. @default 600_000 */
  readonly maxRetryAfterMs?: number;
}

/** Defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 60_000, maxRetryAfterMs: 600_000 } as const;

/**
 * How long to wait before retrying after failed attempt number `attempt` (1 for the first):
 * exponential backoff with full jitter, a uniform draw in [0, min(maxMs, initialMs × 2^(attempt-1))).
 * A receiver's `retryAfterMs` is honoured instead when given (at most `maxRetryAfterMs`).
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return Math.min(retryAfterMs, options.maxRetryAfterMs ?? DEFAULT_BACKOFF.maxRetryAfterMs);
  }
  const ceiling = Math.min(max, initial * 2 ** Math.min(Math.max(attempt - 1, 0), 52));
  return Math.floor(random() * ceiling);
}
