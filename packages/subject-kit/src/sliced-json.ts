import { isJsonSpace, parseJson } from "./json.ts";

/**
 * Bodies up to this many characters are parsed in one go, and larger containers are built from
 * pieces of this size: about one slice of work for `JSON.parse` (5 to 8 ms here). A Prometheus answer
 * over 1,000 stores (up to 300 KB) then needs no scan.
 */
export const PIECE_CHARS = 1024 * 1024;
/**
 * Length of the runs of items a large list is parsed in (a run ends after the item that reaches it).
 * Small runs parse faster than pieces of {@link PIECE_CHARS}: PD's `/stores` for 1,000 stores (1.2 MB)
 * takes 17 ms in 1 MB runs and 5 ms in runs of 64 KB (16 to 64 KB are alike; 120 KB takes 9 ms).
 */
const RUN_CHARS = 64 * 1024;
/** Longest time (ms) the parser works before it lets the event loop run. */
export const SLICE_MS = 8;
/** Deepest nesting accepted; PD and Prometheus bodies nest about 6 levels deep. */
export const MAX_DEPTH = 128;
/** Longest string accepted (characters): no PD or Prometheus string comes near it. */
export const MAX_STRING_CHARS = 1024 * 1024;
/** Longest number or literal accepted (characters). */
export const MAX_TOKEN_CHARS = 512;

/**
 * Parses JSON like {@link parseJson} (integers beyond 2^53 become `bigint`), without blocking the
 * event loop for long on a large body: the text is scanned in time slices, and every container
 * larger than {@link PIECE_CHARS} is built from runs of its items, yielding to the event loop
 * every {@link SLICE_MS} ms. Throws a `SyntaxError` for text that is not JSON, nested deeper than
 * {@link MAX_DEPTH}, or holding a string or token longer than the limits above.
 */
export async function parseJsonSliced(
  text: string,
  yieldNow: () => Promise<void> = _yield,
): Promise<unknown> {
  return (await parseJsonSlicedMapping(text, undefined, yieldNow)).value;
}

/**
 * {@link parseJsonSliced}, passing each item of the large list it cuts into runs (PD's list of stores,
 * see `_parseByLines`) through `mapItem` as soon as its run is parsed: the raw items then die young
 * instead of living until the whole body is parsed, which saves the collector from copying them.
 * `mapped` is the list of mapped items, in the value where the list was; it is absent when no list
 * was cut, and then nothing was mapped. `mapItem` must not throw.
 */
export async function parseJsonSlicedMapping(
  text: string,
  mapItem: ((item: unknown, index: number) => unknown) | undefined,
  yieldNow: () => Promise<void> = _yield,
): Promise<{ value: unknown; mapped?: unknown[] }> {
  if (text.length <= PIECE_CHARS) return { value: parseJson(text) };
  const clock = { last: performance.now() };
  const pause = async () => {
    if (performance.now() - clock.last < SLICE_MS) return;
    await yieldNow();
    clock.last = performance.now();
  };
  const byLines = await _parseByLines(text, pause, mapItem);
  if (byLines) return mapItem ? byLines : { value: byLines.value };
  const root = await _scan(text, pause);
  return { value: root === undefined ? parseJson(text) : await _build(text, root, pause) };
}

/** What {@link parseJsonSliced} uses to let the event loop run: one `setImmediate` turn. */
export function yieldToEventLoop(): Promise<void> {
  return _yield();
}

// --- Internal helpers ---

/** The first array whose first item is an object on a line of its own: PD's list of stores. */
const ARRAY_OF_OBJECTS = /\[\n( +)\{/;
/** Stands in the rest of the body for the array cut by {@link _parseByLines}. */
const PLACEHOLDER = "\\u0001sliced\\u0001";
const PLACEHOLDER_VALUE = "\u0001sliced\u0001";

/**
 * The fast way through a pretty-printed body (PD writes its answers indented): the first array of
 * objects on lines of their own is cut into runs of whole items at the lines that close an item
 * (`\n` and the item's indent, then `}`). A raw line break never occurs inside a JSON string, so
 * every cut is between tokens; a run that does not parse on its own was cut inside an item. Each run
 * is parsed by itself (its items passed through `mapItem`, if given), the rest of the body with a
 * placeholder for the array. Returns `undefined` when the body has no such array or any of that
 * fails: the scan then reads the body (and words the error).
 */
async function _parseByLines(
  text: string,
  pause: () => Promise<void>,
  mapItem: ((item: unknown, index: number) => unknown) | undefined,
): Promise<{ value: unknown; mapped: unknown[] } | undefined> {
  const open = ARRAY_OF_OBJECTS.exec(text);
  if (!open || text.includes("\\u0001")) return undefined;
  const close = `\n${open[1]}}`;
  const runs: [number, number][] = [];
  let runStart = open.index + 1;
  let itemStart = runStart;
  let end = -1;
  // Searched with indexOf and read by character code: no match object per item.
  for (let from = open.index; end < 0; ) {
    const found = text.indexOf(close, from);
    if (found < 0) return undefined;
    const itemEnd = found + close.length;
    let next = itemEnd;
    while (isJsonSpace(text.charCodeAt(next))) next += 1;
    const mark = text.charCodeAt(next);
    // An item too large for one piece is left to the scan, which also enforces its limits.
    if ((mark !== COMMA && mark !== CLOSE_ARRAY) || itemEnd - itemStart > PIECE_CHARS) return undefined;
    if (mark === CLOSE_ARRAY) {
      runs.push([runStart, itemEnd]);
      end = next + 1;
    } else if (itemEnd - runStart >= RUN_CHARS) {
      runs.push([runStart, itemEnd]);
      runStart = next + 1;
    }
    itemStart = next + 1;
    from = next + 1;
  }
  if (text.length - (end - open.index) > PIECE_CHARS) return undefined;
  try {
    const items: unknown[] = [];
    for (const [start, stop] of runs) {
      for (const item of parseJson(`[${text.slice(start, stop)}]`) as unknown[]) {
        items.push(mapItem ? mapItem(item, items.length) : item);
      }
      await pause();
    }
    const rest = parseJson(`${text.slice(0, open.index)}"${PLACEHOLDER}"${text.slice(end)}`);
    return _replacePlaceholder(rest, items) ? { value: rest, mapped: items } : undefined;
  } catch {
    return undefined;
  }
}

/** Puts `items` where the placeholder is, in place; false when it is not found. */
function _replacePlaceholder(root: unknown, items: unknown[]): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    for (const key of Object.keys(node)) {
      const value = (node as Record<string, unknown>)[key];
      if (value === PLACEHOLDER_VALUE) {
        _set(node as Record<string, unknown>, key, items);
        return true;
      }
      stack.push(value);
    }
  }
  return false;
}

interface Frame {
  readonly kind: "[" | "{";
  readonly start: number;
  end: number;
  readonly parts: Part[];
  /** Start of the current item (after the opener or the last comma). */
  itemStart: number;
  /** Items seen so far (to refuse `[,]` and `[1,]`). */
  items: number;
  /** The current item has something other than white space. */
  content: boolean;
  runStart: number;
  runEnd: number;
  /** A large container inside the current item. */
  large: Frame | undefined;
}

type Part =
  | { readonly kind: "run"; readonly start: number; readonly end: number }
  | { readonly kind: "large"; readonly itemStart: number; readonly itemEnd: number; readonly frame: Frame };

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;

function _fail(message: string, at: number): never {
  throw new SyntaxError(`${message} at position ${at}`);
}

/** The next character that is not JSON white space. */
const NON_SPACE = /[^ \t\n\r]/g;
/** The end of a number or literal: white space or a character of JSON's structure. */
const TOKEN_END = /[ \t\n\r"[\]{},]/g;

/**
 * One pass over the text: the frame of every container larger than a piece, with its parts. White
 * space and the characters of numbers and literals are skipped by regular expressions (a PD body is
 * indented: most of its characters are spaces), so the loop runs once per string, bracket, comma
 * and token.
 */
async function _scan(text: string, pause: () => Promise<void>): Promise<Frame | undefined> {
  const stack: Frame[] = [];
  let root: Frame | undefined;
  let next = 0x10000;
  const nonSpace = new RegExp(NON_SPACE);
  const tokenEnd = new RegExp(TOKEN_END);
  for (let i = 0; ; ) {
    nonSpace.lastIndex = i;
    const found = nonSpace.exec(text);
    if (found === null) break;
    i = found.index;
    if (i >= next) {
      next = i + 0x10000;
      await pause();
    }
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      if (stack.length === 0 && root !== undefined) _fail("Unexpected data after the JSON value", i);
      _hasContent(stack);
      const end = _stringEnd(text, i);
      if (end - i > MAX_STRING_CHARS) _fail(`String longer than ${MAX_STRING_CHARS} characters`, i);
      i = end + 1;
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      if (root !== undefined && stack.length === 0) _fail("Unexpected data after the JSON value", i);
      if (stack.length >= MAX_DEPTH) _fail(`JSON nested deeper than ${MAX_DEPTH} levels`, i);
      _hasContent(stack);
      const frame: Frame = {
        kind: code === OPEN_ARRAY ? "[" : "{",
        start: i,
        end: -1,
        parts: [],
        itemStart: i + 1,
        items: 0,
        content: false,
        runStart: -1,
        runEnd: -1,
        large: undefined,
      };
      if (stack.length === 0) root = frame;
      stack.push(frame);
      i += 1;
    } else if (code === COMMA || code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      const frame = stack[stack.length - 1];
      if (!frame) _fail("Unexpected character", i);
      const closes = code !== COMMA;
      if (closes && code !== (frame.kind === "[" ? CLOSE_ARRAY : CLOSE_OBJECT))
        _fail("Mismatched bracket", i);
      _endItem(frame, i, closes);
      if (closes) {
        stack.pop();
        frame.end = i + 1;
        const parent = stack[stack.length - 1];
        if (parent && frame.end - frame.start > PIECE_CHARS) {
          if (parent.large) _fail("Two values in one item", frame.start);
          parent.large = frame;
        }
      }
      i += 1;
    } else {
      if (stack.length === 0 && root !== undefined) _fail("Unexpected data after the JSON value", i);
      _hasContent(stack);
      tokenEnd.lastIndex = i + 1;
      const end = tokenEnd.exec(text)?.index ?? text.length;
      if (end - i > MAX_TOKEN_CHARS)
        _fail(`Token longer than ${MAX_TOKEN_CHARS} characters`, i + MAX_TOKEN_CHARS);
      i = end;
    }
  }
  if (stack.length > 0) _fail("Unexpected end of JSON", text.length);
  if (root && root.end - root.start <= PIECE_CHARS) return undefined;
  if (root && text.slice(0, root.start).trim() !== "") _fail("Unexpected data before the JSON value", 0);
  return root;
}

/** Index of the quote closing the string that opens at `start`. */
function _stringEnd(text: string, start: number): number {
  let at = start;
  for (;;) {
    const end = text.indexOf('"', at + 1);
    if (end < 0) _fail("Unterminated string", start);
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return end;
    at = end;
  }
}

/** Notes that the current item of the innermost open container is not empty. */
function _hasContent(stack: readonly Frame[]): void {
  const frame = stack[stack.length - 1];
  if (frame) frame.content = true;
}

/** Closes the current item of `frame` at `at` (a comma or the closing bracket). */
function _endItem(frame: Frame, at: number, closes: boolean): void {
  const empty = frame.large === undefined && !frame.content;
  frame.content = false;
  if (empty) {
    if (!closes || frame.items > 0) _fail("Missing value", at);
  } else if (frame.large) {
    _flushRun(frame);
    frame.parts.push({ kind: "large", itemStart: frame.itemStart, itemEnd: at, frame: frame.large });
    frame.large = undefined;
    frame.items += 1;
  } else {
    if (frame.runStart < 0) frame.runStart = frame.itemStart;
    frame.runEnd = at;
    frame.items += 1;
    if (frame.runEnd - frame.runStart >= RUN_CHARS) _flushRun(frame);
  }
  if (closes) _flushRun(frame);
  frame.itemStart = at + 1;
}

function _flushRun(frame: Frame): void {
  if (frame.runStart < 0) return;
  frame.parts.push({ kind: "run", start: frame.runStart, end: frame.runEnd });
  frame.runStart = -1;
}

/** Builds the value of a large container from its parts, piece by piece. */
async function _build(text: string, frame: Frame, pause: () => Promise<void>): Promise<unknown> {
  const array: unknown[] = [];
  const object: Record<string, unknown> = {};
  for (const part of frame.parts) {
    if (part.kind === "run") {
      const slice = text.slice(part.start, part.end);
      if (frame.kind === "[") {
        for (const value of parseJson(`[${slice}]`) as unknown[]) array.push(value);
      } else {
        for (const [key, value] of Object.entries(parseJson(`{${slice}}`) as object))
          _set(object, key, value);
      }
    } else {
      const value = await _build(text, part.frame, pause);
      if (text.slice(part.frame.end, part.itemEnd).trim() !== "")
        _fail("Unexpected data after a value", part.frame.end);
      const before = text.slice(part.itemStart, part.frame.start).trim();
      if (frame.kind === "[") {
        if (before !== "") _fail("Unexpected data before a value", part.itemStart);
        array.push(value);
      } else {
        const key = before.endsWith(":") ? parseJson(before.slice(0, -1)) : undefined;
        if (typeof key !== "string") _fail("Expected a key before a value", part.itemStart);
        _set(object, key, value);
      }
    }
    await pause();
  }
  return frame.kind === "[" ? array : object;
}

/** Sets an own property, even `__proto__`, the way `JSON.parse` does. */
function _set(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function _yield(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
