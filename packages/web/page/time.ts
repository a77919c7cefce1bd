/**
 * `then` relative to `now`, the way people say it: `just now`, `42 s ago`, `3 min ago`, `5 h ago`,
 * `2 d ago`, or `in 8 s` for a time still to come.
 */
export function relativeTime(thenMs: number, nowMs: number): string {
  const diff = nowMs - thenMs;
  const future = diff < 0;
  const seconds = Math.round(Math.abs(diff) / 1000);
  if (seconds < 5) return future ? "in a moment" : "just now";
  const amount =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min`
        : seconds < 86_400
          ? `${Math.floor(seconds / 3600)} h`
          : `${Math.floor(seconds / 86_400)} d`;
  return future ? `in ${amount}` : `${amount} ago`;
}

/** An absolute time for a tooltip: the local date and time, then UTC in ISO 8601. */
export function absoluteTime(ms: number): string {
  const date = new Date(ms);
  return `${date.toLocaleString()} (${date.toISOString()})`;
}
