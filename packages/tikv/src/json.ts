import { checkShape, decodeJsonSliced, type ListAt, parseJson } from "@operator/subject-kit";
import type { z } from "zod";
import { PREFIX, ResponseShapeError } from "./errors.ts";

export type { ListAt };
export { parseJson };

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
  } catch {
    const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new ResponseShapeError(
      _label(source),
      endpoint,
      "",
      `body is not JSON: ${JSON.stringify(shown)}`,
      source,
    );
  }
  return checkShape(schema, data, _label(source), endpoint, source);
}

/**
 * {@link decode} for bodies that may be large: parsed in time slices, and the list at `list`
 * validated element by element, letting the event loop run between slices.
 */
export function decodeSliced<S extends z.ZodType>(
  schema: S,
  text: string,
  source: "pd" | "prometheus",
  endpoint: string,
  list?: ListAt,
): Promise<z.output<S>> {
  return decodeJsonSliced(schema, text, _label(source), endpoint, list, source);
}

function _label(source: "pd" | "prometheus"): string {
  return `${PREFIX} ${source === "pd" ? "PD" : "Prometheus"}`;
}
