import { isInteger, isSafeNumber, parse } from "lossless-json";

/**
 * Parses JSON without losing uint64 precision: integers beyond 2^53 (cluster and member ids,
 * nanosecond timestamps) become `bigint`, every other number a `number`. Throws a `SyntaxError` for
 * text that is not JSON. Of duplicate keys in an object, the last one counts (as in `JSON.parse`).
 *
 * Fast: the text is parsed by `JSON.parse`. An integer of up to 15 digits always fits a double, so a
 * text without a run of 16 digits (other than after a decimal point) is parsed as it is; otherwise each long integer that is the value
 * of an object member (where PD writes its ids and timestamps) is first turned into a marked string
 * and converted back after parsing. A long integer anywhere else (an array element) is rare: such a
 * text is parsed by a slower exact parser, and so is a text that is not JSON (for its error message).
 */
export function parseJson(text: string): unknown {
  const long = LONG_DIGITS.test(text);
  if (long && text.includes(MARK_ESCAPE)) return parseJsonExact(text);
  let value: unknown;
  try {
    value = JSON.parse(long ? _markLongMembers(text) : text);
  } catch {
    // The exact parser's error names the position without quoting the (hostile) text.
    return parseJsonExact(text);
  }
  return !long || _unmark(value) ? value : parseJsonExact(text);
}

/**
 * {@link parseJson} by a character-by-character parser: exact for every text, several times slower.
 * Integers beyond 2^53 become `bigint`; a key repeated with another value is a `SyntaxError`.
 */
export function parseJsonExact(text: string): unknown {
  return parse(text, null, (value: string) =>
    isInteger(value) && !isSafeNumber(value) ? BigInt(value) : Number(value),
  );
}

/** `["stores", 0, "store", "id"]` -> `stores[0].store.id`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

// --- Internal helpers ---

/**
 * Sixteen digits in a row, not after a digit or a decimal point: the start of an integer part that
 * may not fit a double exactly. Fractions (Prometheus's sample values and times) never match.
 */
const LONG_DIGITS = /(?<![\d.])\d{16}/;

/**
 * A `:`, spaces and an integer of 16 digits or more, not followed by a fraction or exponent: an
 * object member with a long integer value, when {@link _markLongMembers} finds its key before the
 * colon. Starting at the colon, not at a quote, keeps the search fast (a body has many more quotes
 * than colons).
 */
const LONG_MEMBER_VALUE = /:\s*-?\d{16,}(?![\d.eE])/g;

/**
 * Marks a long integer turned into a string: a NUL character, which a JSON string can only hold
 * written as this escape. Texts that contain the escape themselves take the exact parser.
 */
const MARK_ESCAPE = "\\u0000";
const MARK = 0;

/**
 * Turns the long integer of every {@link LONG_MEMBER_VALUE} match whose colon follows an object
 * member's key into a marked string. A key is recognised when the colon follows a quote (and spaces),
 * the key has no quote or backslash, and its opening quote follows `{` or `,` (and spaces): then the
 * quote before the colon is no escaped quote and, in valid JSON, closes a key rather than a string.
 * Marking puts two quotes around digits: a valid text stays valid and an invalid one invalid.
 */
function _markLongMembers(text: string): string {
  let out = "";
  let copied = 0;
  // `test` finds each match without a match array; the integer and the colon are found back from its end.
  const search = new RegExp(LONG_MEMBER_VALUE);
  while (search.test(text)) {
    const end = search.lastIndex;
    let start = end;
    while (_isDigit(text.charCodeAt(start - 1))) start -= 1;
    if (text.charCodeAt(start - 1) === MINUS) start -= 1;
    let colon = start - 1;
    while (text.charCodeAt(colon) !== COLON) colon -= 1;
    if (!_followsKey(text, colon)) continue;
    out += `${text.slice(copied, start)}"${MARK_ESCAPE}${text.slice(start, end)}"`;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** True when the colon at `colon` ends an object member's key (see {@link _markLongMembers}). */
function _followsKey(text: string, colon: number): boolean {
  let close = colon - 1;
  while (close >= 0 && isJsonSpace(text.charCodeAt(close))) close -= 1;
  if (text.charCodeAt(close) !== QUOTE) return false;
  let open = close - 1;
  for (; open >= 0; open -= 1) {
    const code = text.charCodeAt(open);
    if (code === QUOTE) break;
    if (code === BACKSLASH) return false;
  }
  let before = open - 1;
  while (before >= 0 && isJsonSpace(text.charCodeAt(before))) before -= 1;
  const code = text.charCodeAt(before);
  return code === OPEN_OBJECT || code === COMMA;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const OPEN_OBJECT = 123;

function _isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** True for JSON's white space: space, line feed, carriage return, tab (for the package's parsers). */
export function isJsonSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/**
 * Turns marked strings back into integers (a `bigint` beyond 2^53) in place. Returns false when the
 * value holds an integer beyond 2^53 that was not marked (it lost precision): the caller must parse
 * the text exactly instead.
 */
function _unmark(root: unknown): boolean {
  if (typeof root === "number") return !_lostPrecision(root);
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) {
        const item: unknown = node[i];
        if (typeof item === "object" && item !== null) stack.push(item);
        else if (typeof item === "string" && item.charCodeAt(0) === MARK) node[i] = _integer(item);
        else if (typeof item === "number" && _lostPrecision(item)) return false;
      }
      continue;
    }
    const object = node as Record<string, unknown>;
    for (const key in object) {
      if (!Object.hasOwn(object, key)) continue;
      const item = object[key];
      if (typeof item === "object" && item !== null) stack.push(item);
      else if (typeof item === "string" && item.charCodeAt(0) === MARK) _set(object, key, _integer(item));
      else if (typeof item === "number" && _lostPrecision(item)) return false;
    }
  }
  return true;
}

/** An integer beyond 2^53 as a double: its digits may not be the ones in the text. */
function _lostPrecision(value: number): boolean {
  return Number.isInteger(value) && !Number.isSafeInteger(value);
}

function _integer(marked: string): bigint | number {
  const digits = marked.slice(1);
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : BigInt(digits);
}

/** Sets an own property, even `__proto__`, the way `JSON.parse` does. */
function _set(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}
