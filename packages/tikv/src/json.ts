import { isInteger, isSafeNumber, parse } from "lossless-json";
import type { z } from "zod";
import { ResponseShapeError } from "./errors.ts";

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
