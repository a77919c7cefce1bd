import { isInteger, isSafeNumber, parse } from "lossless-json";
import type { z } from "zod";
import { ResponseShapeError } from "./errors.ts";
import { parseJsonSliced, SLICE_MS, yieldToEventLoop } from "./sliced-json.ts";

/**
 * Parses JSON without losing uint64 precision: integers beyond 2^53 (PD's cluster and member ids,
 * heartbeat nanoseconds) become `bigint`, every other number a `number`.
 */
export function parseJson(text: string): unknown {
  return parse(text, null, (value: string) =>
    isInteger(value) && !isSafeNumber(value) ? BigInt(value) : Number(value),
  );
}

/**
 * Parses `text` and checks it against `schema`. Throws a {@link ResponseShapeError} naming the
 * endpoint and, for a wrong shape, the path of the first offending field.
 */
export function decode<S extends z.ZodType>(
  schema: S,
  text: string,
  source: "pd" | "prometheus",
  endpoint: string,
): z.output<S> {
  let data: unknown;
  try {
    data = parseJson(text);
  } catch (error) {
    const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new ResponseShapeError(source, endpoint, "", `body is not JSON: ${JSON.stringify(shown)}`, {
      cause: error,
    });
  }
  return check(schema, data, source, endpoint);
}

/** Checks already-parsed data against `schema`; see {@link decode}. */
export function check<S extends z.ZodType>(
  schema: S,
  data: unknown,
  source: "pd" | "prometheus",
  endpoint: string,
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = formatPath(issue?.path ?? []);
  const problem = issue?.message.replace(/^Invalid input: /, "") ?? "unexpected shape";
  throw new ResponseShapeError(source, endpoint, field, problem, { cause: result.error });
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

/** Where the long list of a body is, for {@link decodeSliced}. */
export interface ListAt {
  /** Path of the list in the parsed body, e.g. `["stores"]` or `["data", "result"]`. */
  readonly input: readonly string[];
  /** Path of the validated list in the schema's output (the same as `input` unless the schema moves it). */
  readonly output?: readonly string[];
  /** Schema of one element; the body's schema must map an empty list to an empty list. */
  readonly element: z.ZodType;
}

/**
 * {@link decode} for bodies that may be large: parsed with {@link parseJsonSliced}, and the list at
 * `list` validated element by element, letting the event loop run between slices. The rest of the
 * body is checked against `schema` with that list empty, then the validated elements are put back.
 */
export async function decodeSliced<S extends z.ZodType>(
  schema: S,
  text: string,
  source: "pd" | "prometheus",
  endpoint: string,
  list?: ListAt,
): Promise<z.output<S>> {
  let data: unknown;
  try {
    data = await parseJsonSliced(text);
  } catch (error) {
    const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    const why = error instanceof SyntaxError ? ` (${error.message})` : "";
    throw new ResponseShapeError(source, endpoint, "", `body is not JSON${why}: ${JSON.stringify(shown)}`);
  }
  const elements = list ? _at(data, list.input) : undefined;
  if (!list || !Array.isArray(elements) || elements.length < SLICED_LIST_MIN) {
    return check(schema, data, source, endpoint);
  }
  _put(data, list.input, []);
  const envelope = check(schema, data, source, endpoint);
  const validated: unknown[] = [];
  let last = performance.now();
  for (let i = 0; i < elements.length; i += 1) {
    const result = list.element.safeParse(elements[i]);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = formatPath([...list.input, i, ...(issue?.path ?? [])]);
      const problem = issue?.message.replace(/^Invalid input: /, "") ?? "unexpected shape";
      throw new ResponseShapeError(source, endpoint, field, problem);
    }
    validated.push(result.data);
    if ((i & 63) === 63 && performance.now() - last >= SLICE_MS) {
      await yieldToEventLoop();
      last = performance.now();
    }
  }
  _put(envelope, list.output ?? list.input, validated);
  return envelope;
}

/** Lists shorter than this are validated with the rest of the body, in one go. */
const SLICED_LIST_MIN = 256;

function _at(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function _put(data: unknown, path: readonly string[], value: unknown): void {
  const parent = _at(data, path.slice(0, -1)) as Record<string, unknown>;
  parent[path[path.length - 1] as string] = value;
}
