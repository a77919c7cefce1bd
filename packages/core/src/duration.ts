import { ConfigError } from "./errors.ts";

/**
 * The longest duration operator accepts anywhere (intervals, deadlines, grace and clear windows):
 * 2^31 - 1 ms, about 24.8 days, the most Node's timers can hold. A longer timer fires at once, so a
 * longer setting would run cycles back to back or expire windows immediately.
 */
export const MAX_DURATION_MS = 2_147_483_647;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
const LIMIT = `at most ${MAX_DURATION_MS} ms, about 24.8 days, the longest a timer can wait`;

/**
 * Parses a duration such as `500ms`, `30s`, `1m30s` or `2h` into milliseconds; a bare number is
 * milliseconds. The result is a whole number of milliseconds from 0 to {@link MAX_DURATION_MS}.
 * Throws a {@link ConfigError} naming `what` on anything else.
 */
export function parseDuration(input: string | number, what = "duration"): number {
  if (typeof input === "number") return checkDurationMs(input, what);
  const text = input.trim();
  if (text === "") throw new ConfigError(`Invalid ${what}: empty (expected e.g. 500ms, 30s, 1m30s, 2h)`);
  if (/^\d+$/.test(text)) return checkDurationMs(Number(text), what, input);
  let total = 0n;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) {
      throw new ConfigError(`Invalid ${what}: "${input}" (expected e.g. 500ms, 30s, 1m30s, 2h)`);
    }
    const [whole = "0", fraction = ""] = (match[1] as string).split(".");
    const scale = 10n ** BigInt(fraction.length);
    const scaled = BigInt(`${whole}${fraction}`) * BigInt(UNITS[match[2] as string] as number);
    if (scaled % scale !== 0n) {
      throw new ConfigError(`Invalid ${what}: "${input}" is not a whole number of milliseconds`);
    }
    total += scaled / scale;
  }
  if (total > BigInt(MAX_DURATION_MS)) {
    throw new ConfigError(`Invalid ${what}: "${input}" is too long (${LIMIT})`);
  }
  return Number(total);
}

/**
 * Checks a duration already in milliseconds: finite, whole, from 0 to {@link MAX_DURATION_MS}.
 * Returns it, or throws a {@link ConfigError} naming `what` (and `input`, as the user wrote it).
 */
export function checkDurationMs(ms: number, what = "duration", input: string | number = ms): number {
  const shown = typeof input === "string" ? `"${input}"` : String(input);
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new ConfigError(`Invalid ${what}: ${shown} (expected 0 or more milliseconds, ${LIMIT})`);
  }
  if (ms > MAX_DURATION_MS) throw new ConfigError(`Invalid ${what}: ${shown} is too long (${LIMIT})`);
  if (!Number.isInteger(ms)) {
    throw new ConfigError(`Invalid ${what}: ${shown} is not a whole number of milliseconds`);
  }
  return ms;
}

/** Formats milliseconds compactly for messages: `850ms`, `1.2s`, `3m20s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
}
