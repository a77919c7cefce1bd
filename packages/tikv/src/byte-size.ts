const UNITS: ReadonlyMap<string, number> = new Map([
  ["B", 1],
  ["KiB", 1024],
  ["MiB", 1024 ** 2],
  ["GiB", 1024 ** 3],
  ["TiB", 1024 ** 4],
  ["PiB", 1024 ** 5],
  ["EiB", 1024 ** 6],
  ["ZiB", 1024 ** 7],
  ["YiB", 1024 ** 8],
]);

const UNIT_NAMES = [...UNITS.keys()];

const SIZE = /^\d+(?:\.\d+)?(?:e[+-]?\d+)?\s?[A-Za-z]+$/;

/**
 * Parses a byte size as PD writes it (docker/go-units `BytesSize`: `%.4g` plus a binary unit, no
 * space) into bytes: `"1.967TiB"`, `"96.73GiB"`, `"292.5MiB"`, `"0B"`. Units are base 1024. Returns
 * `undefined` for anything else, so callers can name the field that was malformed.
 *
 * The result is as precise as PD's four significant digits allow. Three sizes per store and cycle:
 * the text is checked without capture groups and split by hand, allocating little.
 */
export function parseByteSize(text: string): number | undefined {
  const trimmed = text.trim();
  if (!SIZE.test(trimmed)) return undefined;
  let unitStart = trimmed.length;
  while (unitStart > 0 && _isLetter(trimmed.charCodeAt(unitStart - 1))) unitStart -= 1;
  const multiplier = UNITS.get(trimmed.slice(unitStart));
  const value = Number.parseFloat(trimmed);
  if (multiplier === undefined || !Number.isFinite(value)) return undefined;
  return Math.round(value * multiplier);
}

/** Formats bytes the way PD does (`1.967TiB`), for messages. */
export function formatByteSize(bytes: number): string {
  let unit = 0;
  let value = bytes;
  while (Math.abs(value) >= 1024 && unit < UNIT_NAMES.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toPrecision(4))}${UNIT_NAMES[unit]}`;
}

function _isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
