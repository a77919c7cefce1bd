import { isoTime } from "@operator/core";
import { escapeJsonText, escapeText } from "./escape.ts";

export type { EventJson, TicketDetailJson, TicketJson } from "@operator/core";
/** The stable JSON forms of tickets and events live in core, shared with the HTTP API. */
export { eventToJson, isoTime, ticketDetailToJson, ticketToJson } from "@operator/core";

/** A writable text stream (stdout in the CLI, a buffer in tests). */
export interface TextStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/**
 * Whether to colour output for `stream`: never when `NO_COLOR` is set to anything non-empty
 * (https://no-color.org) or `--no-color` was given, always when `FORCE_COLOR` is set (and not `0`),
 * otherwise only on a terminal.
 */
export function shouldColor(stream: TextStream, env: NodeJS.ProcessEnv, noColorFlag = false): boolean {
  if (noColorFlag || (env.NO_COLOR ?? "") !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/** ANSI styles used in tables; identity functions when colour is off. */
export interface Palette {
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly green: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

/** A {@link Palette}: ANSI escapes when `color` is true, plain text otherwise. */
export function palette(color: boolean): Palette {
  const style = (open: number, close: number) => (text: string) =>
    color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    red: style(31, 39),
    yellow: style(33, 39),
    cyan: style(36, 39),
    green: style(32, 39),
    dim: style(2, 22),
    bold: style(1, 22),
  };
}

/** One column of a table: its header, how to read a cell, right alignment for numbers. */
export interface Column<Row> {
  readonly header: string;
  readonly cell: (row: Row) => string;
  readonly align?: "left" | "right";
  readonly style?: (text: string, row: Row) => string;
}

/**
 * Renders rows as an aligned table with a header line. Cells are text from outside: control
 * characters in them are escaped, so a row is always one line. The last column is not padded and, on a
 * terminal of known width, is cut to fit. Styles apply after padding, so escapes never skew widths.
 */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  options: { palette: Palette; width?: number | undefined },
): string {
  const cells = rows.map((row) => columns.map((column) => _oneLine(column.cell(row))));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((line) => (line[i] as string).length)),
  );
  const last = columns.length - 1;
  const fit = (text: string, i: number, offset: number): string => {
    if (i === last) {
      const room = options.width === undefined ? Number.POSITIVE_INFINITY : options.width - offset;
      return text.length > room && room > 1 ? `${text.slice(0, room - 1)}…` : text;
    }
    const width = widths[i] as number;
    return columns[i]?.align === "right" ? text.padStart(width) : text.padEnd(width);
  };
  const line = (values: readonly string[], row: Row | undefined): string => {
    let offset = 0;
    const parts = values.map((value, i) => {
      const text = fit(value, i, offset);
      offset += (widths[i] as number) + 2;
      const style = columns[i]?.style;
      return row !== undefined && style ? style(text, row) : text;
    });
    return parts.join("  ").trimEnd();
  };
  const header = options.palette.bold(
    line(
      columns.map((column) => column.header),
      undefined,
    ),
  );
  return [header, ...cells.map((values, r) => line(values, rows[r]))].map((l) => `${l}\n`).join("");
}

/** An epoch-ms time for tables: `2026-01-02 03:04:05Z`. */
export function shortTime(ms: number | null | undefined): string {
  const iso = isoTime(ms);
  return iso === null ? "-" : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/**
 * Serialises `value` as pretty JSON followed by a newline; control characters, line separators and
 * bidi overrides inside strings stay JSON escapes (`\u001b`, `\u2028`), never raw.
 */
export function toJsonText(value: unknown): string {
  return `${escapeJsonText(JSON.stringify(value, null, 2))}\n`;
}

// --- Internal helpers ---

function _oneLine(text: string): string {
  return escapeText(text);
}
