import { isInteger, isSafeNumber, parse } from "lossless-json";

/**
 * Parses JSON without losing uint64 precision: integers beyond 2^53 (cluster and member ids,
 * nanosecond timestamps) become `bigint`, every other number a `number`.
 */
export function parseJson(text: string): unknown {
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
