import { ConfigError } from "./errors.ts";

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Parses a duration such as `500ms`, `30s`, `1m30s` or `2h` into milliseconds; a bare number is
 * milliseconds. Throws a {@link ConfigError} naming `what` on anything else.
 */
export function parseDuration(input: string | number, what = "duration"): number {
  if (typeof input === "number") {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new ConfigError(`Invalid ${what}: ${input} (expected 0 or more milliseconds)`);
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) {
      throw new ConfigError(`Invalid ${what}: "${input}" (expected e.g. 500ms, 30s, 1m30s, 2h)`);
    }
    total += Number(match[1]) * (UNITS[match[2] as string] as number);
  }
  if (text === "") throw new ConfigError(`Invalid ${what}: empty (expected e.g. 500ms, 30s, 1m30s, 2h)`);
  return total;
}

/** Formats milliseconds compactly for messages: `850ms`, `1.2s`, `3m20s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
}
