import type { Severity, Ticket, TicketDetail } from "@operator/core";
import type { CommandContext } from "../context.ts";
import { escapeJsonText, escapeText } from "../escape.ts";
import {
  type Column,
  type Palette,
  palette,
  renderTable,
  shortTime,
  shouldColor,
  ticketDetailToJson,
  toJsonText,
} from "../output.ts";

/** Prints tickets as an aligned table (or a one-line note when there are none). */
export function printTicketTable(ctx: CommandContext, tickets: readonly Ticket[]): void {
  if (tickets.length === 0) {
    ctx.stdout.write("No tickets.\n");
    return;
  }
  const p = _palette(ctx);
  const columns: Column<Ticket>[] = [
    { header: "ID", cell: (t) => String(t.id), align: "right" },
    { header: "SEVERITY", cell: (t) => t.severity, style: (text, t) => severityStyle(p, t.severity)(text) },
    { header: "STATUS", cell: (t) => t.status },
    {
      header: "FLAGS",
      cell: (t) =>
        [t.held ? "held" : "", t.flapping ? "flapping" : "", t.silenced ? "silenced" : ""]
          .filter(Boolean)
          .join(",") || "-",
    },
    { header: "KEY", cell: (t) => t.key },
    { header: "SEEN", cell: (t) => String(t.occurrenceCount), align: "right" },
    { header: "LAST SEEN", cell: (t) => shortTime(t.lastSeenAt) },
    { header: "MESSAGE", cell: (t) => t.message },
  ];
  ctx.stdout.write(
    renderTable(tickets, columns, { palette: p, width: ctx.stdout.isTTY ? ctx.stdout.columns : undefined }),
  );
}

/** Prints one ticket with its values and its events, as text or as JSON. */
export function printTicketDetail(ctx: CommandContext, detail: TicketDetail, json: boolean): void {
  if (json) {
    ctx.stdout.write(toJsonText(ticketDetailToJson(detail)));
    return;
  }
  const p = _palette(ctx);
  const t = detail.ticket;
  const flags = [t.held ? "held" : "", t.flapping ? "flapping" : "", t.silenced ? "silenced" : ""]
    .filter(Boolean)
    .join(", ");
  const fields: [string, string][] = [
    ["Status", flags ? `${t.status} (${flags})` : t.status],
    ["Severity", severityStyle(p, t.severity)(t.severity)],
    ["Message", escapeText(t.message)],
    ["Subject", escapeText(t.subject)],
    ["Invariant", escapeText(t.invariant)],
    ["Entity", escapeText(t.entity)],
    ["First seen", shortTime(t.firstSeenAt)],
    [
      "Last seen",
      `${shortTime(t.lastSeenAt)} (${t.occurrenceCount} occurrence${t.occurrenceCount === 1 ? "" : "s"})`,
    ],
  ];
  if (t.acknowledgedAt !== null)
    fields.push(["Acknowledged", `${shortTime(t.acknowledgedAt)} by ${escapeText(t.acknowledgedBy ?? "?")}`]);
  if (t.diagnosis !== null) fields.push(["Diagnosis", escapeText(t.diagnosis)]);
  if (t.resolvedAt !== null)
    fields.push(["Resolved", `${shortTime(t.resolvedAt)} by ${escapeText(t.resolvedBy ?? "?")}`]);
  fields.push(["Batch", escapeText(t.batchKey)]);
  if (t.previousTicketId !== null) fields.push(["Previous", `ticket ${t.previousTicketId}`]);
  let out = `${p.bold(`Ticket ${t.id}`)}  ${escapeText(t.key)}\n`;
  for (const [name, value] of fields) out += `  ${name.padEnd(13)}${value}\n`;
  if (t.runbook) {
    out += `\n${p.bold("Check first:")} ${escapeText(t.runbook.hint)}\n`;
    if (t.runbook.url !== undefined) out += `  ${escapeText(t.runbook.url)}\n`;
  }
  out += `\n${p.bold("First values")}\n${_indent(_json(t.firstValues))}\n`;
  out += `\n${p.bold("Last values")}\n${_indent(_json(t.lastValues))}\n`;
  out += `\n${p.bold("Events")}\n`;
  const columns: Column<TicketDetail["events"][number]>[] = [
    { header: "TIME", cell: (e) => shortTime(e.at) },
    { header: "ACTOR", cell: (e) => e.actor },
    { header: "EVENT", cell: (e) => e.kind },
    {
      header: "CHANGE",
      cell: (e) => (e.from !== null || e.to !== null ? `${e.from ?? "-"} -> ${e.to ?? "-"}` : "-"),
    },
    { header: "COMMENT", cell: (e) => e.comment ?? "" },
  ];
  out += _indent(renderTable(detail.events, columns, { palette: p }).trimEnd());
  ctx.stdout.write(`${out}\n`);
}

/** The colour of a severity: critical red, warning yellow, info cyan. */
export function severityStyle(p: Palette, severity: Severity | string): (text: string) => string {
  return severity === "critical" ? p.red : severity === "warning" ? p.yellow : p.cyan;
}

// --- Internal helpers ---

function _palette(ctx: CommandContext): Palette {
  return palette(shouldColor(ctx.stdout, ctx.env, ctx.noColor));
}

function _json(value: unknown): string {
  return escapeJsonText(JSON.stringify(value, null, 2) ?? "null");
}

function _indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
