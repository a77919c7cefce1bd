import type { CycleTicketEvent, Severity } from "@operator/core";
import type { CliLogger } from "./logger.ts";

/** Longest message or reason quoted in a ticket log line (characters). */
const MAX_TEXT = 500;

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/**
 * One line for one ticket event of a cycle, e.g.
 * `Ticket 12 opened [warning] prod/store_down/4: Store 4 is Disconnected`,
 * `Ticket 12 severity changed warning -> critical: prod/store_down/4: Store 4 is Down`,
 * `Ticket 12 flapping started: prod/store_down/4: Store 4 is Down`,
 * `Ticket 12 resolved: prod/store_down/4 (store 4 removed from the cluster (Tombstone))`.
 * Messages and reasons come from the watched system: their length is capped here, and the logger
 * escapes their control characters, so one event is one line in text and in JSON.
 */
export function formatTicketEvent(event: CycleTicketEvent): string {
  const head = `Ticket ${event.ticketId}`;
  const message = clean(event.message);
  switch (event.kind) {
    case "opened":
      return `${head} opened [${event.severity}] ${event.key}: ${message}`;
    case "severity_changed":
      return `${head} severity changed ${event.from} -> ${event.to}: ${event.key}: ${message}`;
    case "flapping_started":
      return `${head} flapping started: ${event.key}: ${message}`;
    case "flapping_stopped":
      return `${head} flapping stopped: ${event.key}`;
    case "resolved":
      return `${head} resolved: ${event.key}${event.comment ? ` (${clean(event.comment)})` : ""}`;
    default:
      return `${head} ${event.kind.replace(/_/g, " ")}: ${event.key}`;
  }
}

/**
 * Logs one line per ticket event of a cycle: openings and raised severities as warnings, the rest as
 * info. Nothing for a cycle without events.
 */
export function logTicketEvents(logger: CliLogger, events: readonly CycleTicketEvent[]): void {
  for (const event of events) {
    const fields = {
      ticket: event.ticketId,
      key: event.key,
      event: event.kind,
      severity: event.severity,
      ...(event.from !== null ? { from: event.from } : {}),
      ...(event.to !== null ? { to: event.to } : {}),
      ...(event.kind === "resolved" && event.comment !== null ? { reason: clean(event.comment) } : {}),
    };
    const line = formatTicketEvent(event);
    if (event.kind === "opened" || (event.kind === "severity_changed" && raised(event)))
      logger.warn(line, fields);
    else logger.info(line, fields);
  }
}

function raised(event: CycleTicketEvent): boolean {
  const from = RANK[event.from as Severity];
  const to = RANK[event.to as Severity];
  return from !== undefined && to !== undefined && to > from;
}

/** Caps text from the watched system; the logger escapes its control characters (`\x1b`, `\n`). */
function clean(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
