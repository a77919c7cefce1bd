/**
 * A small parser for the Prometheus text exposition format (version 0.0.4), enough for what etcd's
 * `/metrics` serves: counters, gauges and histograms, with `# HELP` / `# TYPE` lines and escaped
 * label values. Timestamps after a value are accepted and ignored.
 */

/** One sample line: `name{labels} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition: every sample in order, and the declared type of each metric family. */
export interface Exposition {
  readonly samples: readonly Sample[];
  /** `# TYPE` declarations: family name to `counter`, `gauge`, `histogram`, `summary` or `untyped`. */
  readonly types: ReadonlyMap<string, string>;
}

/** The text could not be parsed; `line` is 1-based. */
export class ExpositionParseError extends Error {
  override name = "ExpositionParseError";
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`Invalid exposition at line ${line}: ${reason}`);
  }
}

/** Parses exposition text. Throws an {@link ExpositionParseError} naming the first malformed line. */
export function parseExposition(text: string): Exposition {
  const parser = _parser();
  for (const [line, number] of _lines(text)) parser.add(line, number);
  return parser.result();
}

/**
 * {@link parseExposition} for text that may be large (a hostile `/metrics` of megabytes): the same
 * result, but the event loop runs every {@link SLICE_MS} ms while it works.
 */
export async function parseExpositionSliced(text: string): Promise<Exposition> {
  const parser = _parser();
  let last = performance.now();
  for (const [line, number] of _lines(text)) {
    parser.add(line, number);
    if ((number & 255) === 0 && performance.now() - last >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
  return parser.result();
}

/** Longest time (ms) {@link parseExpositionSliced} works before it lets the event loop run. */
export const SLICE_MS = 8;

/** Samples of `name` whose labels include every pair in `labels`. */
export function samplesOf(
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Sample[] {
  return exposition.samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The value of the first sample of `name` (matching `labels`), or `undefined` when there is none. */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  return samplesOf(exposition, name, labels)[0]?.value;
}

// --- Internal helpers ---

/** Every line of `text` with its 1-based number, without splitting the whole text at once. */
function* _lines(text: string): Generator<[string, number]> {
  let start = 0;
  for (let number = 1; start <= text.length; number += 1) {
    const end = text.indexOf("\n", start);
    const stop = end < 0 ? text.length : end;
    yield [text.slice(start, stop), number];
    start = stop + 1;
  }
}

function _parser() {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  return {
    add(raw: string, number: number): void {
      const line = raw.trim();
      if (line === "") return;
      if (line.startsWith("#")) {
        const type = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
        if (type) types.set(type[1] as string, type[2] as string);
        return;
      }
      samples.push(_parseSample(line, number));
    },
    result: (): Exposition => ({ samples, types }),
  };
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function _parseSample(line: string, lineNumber: number): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new ExpositionParseError(lineNumber, "expected a metric name");
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = _parseLabels(rest.slice(1), labels, lineNumber);
  }
  const fields = rest.trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === "") {
    throw new ExpositionParseError(lineNumber, `expected a value after ${name}`);
  }
  const value = _parseValue(fields[0] as string);
  if (value === undefined) throw new ExpositionParseError(lineNumber, `invalid value "${fields[0]}"`);
  return { name, labels, value };
}

/** Parses `a="x",b="y"}` into `labels`; returns what follows the closing brace. */
function _parseLabels(input: string, labels: Record<string, string>, lineNumber: number): string {
  let rest = input.trimStart();
  while (!rest.startsWith("}")) {
    const key = LABEL_NAME.exec(rest)?.[0];
    if (!key) throw new ExpositionParseError(lineNumber, "expected a label name");
    rest = rest.slice(key.length).trimStart();
    if (!rest.startsWith('="')) throw new ExpositionParseError(lineNumber, `expected ="..." after ${key}`);
    let value = "";
    let position = 2;
    for (;;) {
      const char = rest[position];
      if (char === undefined) throw new ExpositionParseError(lineNumber, `unterminated value of ${key}`);
      if (char === '"') break;
      if (char === "\\") {
        const next = rest[position + 1];
        value += next === "n" ? "\n" : (next ?? "");
        position += 2;
      } else {
        value += char;
        position += 1;
      }
    }
    labels[key] = value;
    rest = rest.slice(position + 1).trimStart();
    if (rest.startsWith(",")) rest = rest.slice(1).trimStart();
    else if (!rest.startsWith("}"))
      throw new ExpositionParseError(lineNumber, "expected , or } after a label");
  }
  return rest.slice(1);
}

function _parseValue(text: string): number | undefined {
  switch (text) {
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
    case "NaN":
      return Number.NaN;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
