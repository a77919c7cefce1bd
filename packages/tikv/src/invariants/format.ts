import { formatByteSize } from "../byte-size.ts";

/** How a measured quantity reads in a message. */
export type Unit = "seconds" | "bytes" | "count" | "ratio" | "cores";

/** `250 ms`, `1.5 s`, `1.2GiB`, `5000`, `87.5%`, `1.25 cores`; infinity reads as beyond the largest bucket. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return value > 0 ? "beyond the largest bucket" : String(value);
  switch (unit) {
    case "seconds":
      return value < 1 ? `${Number((value * 1000).toPrecision(3))} ms` : `${Number(value.toPrecision(3))} s`;
    case "bytes":
      return formatByteSize(value);
    case "ratio":
      return `${(value * 100).toFixed(1)}%`;
    case "cores":
      return `${value.toFixed(2)} cores`;
    default:
      return String(Number(value.toPrecision(6)));
  }
}
