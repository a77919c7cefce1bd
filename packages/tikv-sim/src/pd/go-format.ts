/**
 * Go formatting rules that PD's JSON depends on: docker/go-units `BytesSize`, `time.Duration.String`,
 * `time.Time` RFC 3339 with nanoseconds, and `encoding/json` output (indented or compact) including
 * uint64 numbers beyond 2^53, which `JSON.stringify` cannot write.
 */

const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] as const;

/** go-units `BytesSize`: `%.4g` of the size in base 1024 with the unit glued on, e.g. `"1.967TiB"`. */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < BINARY_UNITS.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${formatG4(size)}${BINARY_UNITS[unit]}`;
}

/** Parses a go-units byte size string back to bytes (binary multipliers). */
export function parseBytesSize(text: string): number {
  const match = /^([0-9.]+(?:e[+-]?\d+)?)([KMGTPEZY]iB|B)$/.exec(text);
  if (!match) throw new RangeError(`not a go-units byte size: ${JSON.stringify(text)}`);
  const index = BINARY_UNITS.indexOf(match[2] as (typeof BINARY_UNITS)[number]);
  return Number(match[1]) * 1024 ** index;
}

/** Go `time.Duration.String()` of a duration in nanoseconds, e.g. `"7m50.896421303s"`, `"30m0s"`. */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const sign = ns < 0n ? "-" : "";
  const abs = ns < 0n ? -ns : ns;
  if (abs < 1_000n) return `${sign}${abs}ns`;
  if (abs < 1_000_000n) return `${sign}${fraction(abs, 1_000n)}µs`;
  if (abs < 1_000_000_000n) return `${sign}${fraction(abs, 1_000_000n)}ms`;
  const hours = abs / 3_600_000_000_000n;
  const minutes = (abs / 60_000_000_000n) % 60n;
  const seconds = fraction(abs % 60_000_000_000n, 1_000_000_000n);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** Go's `time.Time` JSON form (RFC 3339, nanoseconds with trailing zeros trimmed, UTC `Z`). */
export function rfc3339Nano(unixNs: bigint): string {
  const ms = Number(unixNs / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const nanos = unixNs % 1_000_000_000n;
  if (nanos === 0n) return `${base}Z`;
  return `${base}.${nanos.toString().padStart(9, "0").replace(/0+$/, "")}Z`;
}

/** A value `goJson` writes verbatim: uint64 ids beyond 2^53 are plain `bigint`s. */
export type GoJsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | readonly GoJsonValue[]
  | { readonly [key: string]: GoJsonValue };

/**
 * Go `encoding/json` output: `indent` true gives `MarshalIndent(v, "", "  ")` plus the trailing newline
 * unrolled/render adds; false gives compact easyjson-style output without a newline. Keys whose value
 * is `undefined` are omitted (Go's `omitempty`), `bigint`s are written as raw numbers and strings get
 * Go's HTML-safe escaping.
 */
export function goJson(value: GoJsonValue, indent: boolean): string {
  const text = JSON.stringify(value, bigintMarker, indent ? 2 : undefined)
    .replace(BIGINT_MARKED, "$1")
    .replace(GO_ESCAPED, goEscape);
  return indent ? `${text}\n` : text;
}

// --- Internal helpers ---

const BIGINT_MARKED = /"@@uint64:(\d+)@@"/g;
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

/** JSON.stringify cannot write a bigint: mark it as a string, then unquote it. */
function bigintMarker(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `@@uint64:${value}@@` : value;
}

/** Go's encoding/json escapes these even inside strings (HTML safety). */
function goEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/** `%.4g` for 0 <= x < 1024*1.0001: four significant digits, trailing zeros dropped. */
function formatG4(x: number): string {
  if (x === 0) return "0";
  const text = x.toPrecision(4);
  if (text.includes("e")) return String(Number(text));
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}
