import type { z } from "zod";
import { ResponseShapeError } from "./errors.ts";
import { formatPath } from "./json.ts";
import { parseJsonSliced, parseJsonSlicedMapping, SLICE_MS, yieldToEventLoop } from "./sliced-json.ts";

/** Where the long list of a body is, for {@link decodeJsonSliced}. */
export interface ListAt {
  /** Path of the list in the parsed body, e.g. `["stores"]` or `["data", "result"]`. */
  readonly input: readonly string[];
  /** Path of the validated list in the schema's output (the same as `input` unless the schema moves it). */
  readonly output?: readonly string[];
  /** Schema of one element; the body's schema must map an empty list to an empty list. */
  readonly element: ElementSchema;
}

/**
 * What checks one element of a long list: a zod schema, or a hand-written check with the same
 * `safeParse` (for lists of tens of thousands of elements, where a schema per element costs).
 */
export interface ElementSchema {
  safeParse(value: unknown):
    | { readonly success: true; readonly data: unknown }
    | {
        readonly success: false;
        readonly error: { readonly issues: readonly { path: PropertyKey[]; message: string }[] };
      };
}

/** Builds the error for a body that is not JSON (`field` empty) or has a wrong field. */
export type ShapeErrorFactory = (field: string, problem: string) => Error;

/**
 * Checks already-parsed data against `schema`. Throws a `ResponseShapeError` (or what `fail` builds)
 * naming the endpoint and the path of the first offending field.
 */
export function checkShape<S extends z.ZodType>(
  schema: S,
  data: unknown,
  label: string,
  endpoint: string,
  source = "",
  fail: ShapeErrorFactory = (field, problem) =>
    new ResponseShapeError(label, endpoint, field, problem, source),
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw fail(formatPath(issue?.path ?? []), _problem(issue));
}

/**
 * Parses a body (uint64-safe, see `parseJsonSliced`) and checks it against `schema`, letting the
 * event loop run on large bodies: the list at `list` is validated element by element (as its runs
 * are parsed, where the parser cuts it into runs), the rest of the body with that list empty, then
 * the validated elements are put back.
 */
export async function decodeJsonSliced<S extends z.ZodType>(
  schema: S,
  text: string,
  label: string,
  endpoint: string,
  list?: ListAt,
  source = "",
  fail: ShapeErrorFactory = (field, problem) =>
    new ResponseShapeError(label, endpoint, field, problem, source),
): Promise<z.output<S>> {
  // The first element that fails is reported after the rest of the body is checked, as below.
  let failure: { index: number; issue: Issue | undefined } | undefined;
  const check =
    list &&
    ((item: unknown, index: number) => {
      if (failure) return undefined;
      const result = list.element.safeParse(item);
      if (result.success) return result.data;
      failure = { index, issue: result.error.issues[0] };
      return undefined;
    });
  let data: unknown;
  let mapped: unknown[] | undefined;
  try {
    ({ value: data, mapped } = await parseJsonSlicedMapping(text, check));
  } catch (error) {
    const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    const why = error instanceof SyntaxError ? ` (${error.message})` : "";
    throw fail("", `body is not JSON${why}: ${JSON.stringify(shown)}`);
  }
  // Checked while parsing only when the list the parser cut is the one at `list.input`.
  const checked = list && mapped && _at(data, list.input) === mapped ? mapped : undefined;
  if (list && mapped && !checked) data = await parseJsonSliced(text); // read the body as it is
  const elements = list ? _at(data, list.input) : undefined;
  if (!list || !Array.isArray(elements) || (!checked && elements.length < SLICED_LIST_MIN)) {
    return checkShape(schema, data, label, endpoint, source, fail);
  }
  _put(data, list.input, []);
  const envelope = checkShape(schema, data, label, endpoint, source, fail);
  if (checked && failure) throw _elementError(list, failure.index, failure.issue, fail);
  _put(envelope, list.output ?? list.input, checked ?? (await _checkElements(list, elements, fail)));
  return envelope;
}

// --- Internal helpers ---

/** Lists shorter than this are validated with the rest of the body, in one go. */
const SLICED_LIST_MIN = 256;

/** Each element checked in turn, letting the event loop run every {@link SLICE_MS} ms. */
async function _checkElements(list: ListAt, elements: readonly unknown[], fail: ShapeErrorFactory) {
  const validated: unknown[] = [];
  let last = performance.now();
  for (let i = 0; i < elements.length; i += 1) {
    const result = list.element.safeParse(elements[i]);
    if (!result.success) throw _elementError(list, i, result.error.issues[0], fail);
    validated.push(result.data);
    if ((i & 63) === 63 && performance.now() - last >= SLICE_MS) {
      await yieldToEventLoop();
      last = performance.now();
    }
  }
  return validated;
}

type Issue = { readonly path: readonly PropertyKey[]; readonly message: string };

function _elementError(list: ListAt, index: number, issue: Issue | undefined, fail: ShapeErrorFactory) {
  return fail(formatPath([...list.input, index, ...(issue?.path ?? [])]), _problem(issue));
}

function _problem(issue: { message: string } | undefined): string {
  return issue?.message.replace(/^Invalid input: /, "") ?? "unexpected shape";
}

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
