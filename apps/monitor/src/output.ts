import type { Ticket, TicketDetail, TicketEvent } from "@operator/core";
import { escapeJsonText, escapeText } from "./escape.ts";

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

/** An epoch-ms time as ISO 8601 (UTC, milliseconds), or null. */
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** An epoch-ms time for tables: `2026-01-02 03:04:05Z`. */
export function shortTime(ms: number | null | undefined): string {
  const iso = isoTime(ms);
  return iso === null ? "-" : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/**
 * The stable JSON form of a ticket (`tickets list --json`, documented in docs/cli.md). Fields are
 * only ever added, never renamed or removed; times are ISO 8601 strings in UTC or null.
 */
export interface TicketJson {
  id: number;
  key: string;
  subject: string;
  invariant: string;
  entity: string;
  severity: string;
  status: string;
  held: boolean;
  flapping: boolean;
  silenced: boolean;
  message: string;
  occurrenceCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  diagnosis: string | null;
  batchKey: string;
  previousTicketId: number | null;
  createdAt: string;
  updatedAt: string;
  /** What to check first, from the invariant (`url` only when it names a page); null without one. */
  runbook: { hint: string; url?: string } | null;
}

/** Converts a ticket to its stable {@link TicketJson} form. */
export function ticketToJson(ticket: Ticket): TicketJson {
  return {
    id: ticket.id,
    key: ticket.key,
    subject: ticket.subject,
    invariant: ticket.invariant,
    entity: ticket.entity,
    severity: ticket.severity,
    status: ticket.status,
    held: ticket.held,
    flapping: ticket.flapping,
    silenced: ticket.silenced,
    message: ticket.message,
    occurrenceCount: ticket.occurrenceCount,
    firstSeenAt: isoTime(ticket.firstSeenAt) as string,
    lastSeenAt: isoTime(ticket.lastSeenAt) as string,
    resolvedAt: isoTime(ticket.resolvedAt),
    resolvedBy: ticket.resolvedBy,
    acknowledgedAt: isoTime(ticket.acknowledgedAt),
    acknowledgedBy: ticket.acknowledgedBy,
    diagnosis: ticket.diagnosis,
    batchKey: ticket.batchKey,
    previousTicketId: ticket.previousTicketId,
    createdAt: isoTime(ticket.createdAt) as string,
    updatedAt: isoTime(ticket.updatedAt) as string,
    runbook: ticket.runbook
      ? {
          hint: ticket.runbook.hint,
          ...(ticket.runbook.url === undefined ? {} : { url: ticket.runbook.url }),
        }
      : null,
  };
}

/** The stable JSON form of a ticket event. */
export interface EventJson {
  id: number;
  at: string;
  actor: string;
  kind: string;
  from: string | null;
  to: string | null;
  comment: string | null;
}

/** Converts a ticket event to its stable {@link EventJson} form. */
export function eventToJson(event: TicketEvent): EventJson {
  return {
    id: event.id,
    at: isoTime(event.at) as string,
    actor: event.actor,
    kind: event.kind,
    from: event.from,
    to: event.to,
    comment: event.comment,
  };
}

/** `tickets show --json`: the ticket's fields plus its snapshot values and its events, oldest first. */
export function ticketDetailToJson(
  detail: TicketDetail,
): TicketJson & { firstValues: unknown; lastValues: unknown; events: EventJson[] } {
  return {
    ...ticketToJson(detail.ticket),
    firstValues: detail.ticket.firstValues,
    lastValues: detail.ticket.lastValues,
    events: detail.events.map(eventToJson),
  };
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
