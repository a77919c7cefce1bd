import type { Ticket, TicketDetail, TicketEvent } from "./ticket.ts";

/** An epoch-ms time as ISO 8601 (UTC, milliseconds), or null. */
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/**
 * The stable JSON form of a ticket (`operator tickets list --json`, the HTTP API's ticket lists;
 * documented in docs/cli.md). Fields are only ever added, never renamed or removed; times are
 * ISO 8601 strings in UTC or null.
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

/** The stable JSON form of one ticket with its history (`operator tickets show --json`). */
export type TicketDetailJson = TicketJson & {
  firstValues: unknown;
  lastValues: unknown;
  events: EventJson[];
};

/** `tickets show --json`: the ticket's fields plus its snapshot values and its events, oldest first. */
export function ticketDetailToJson(detail: TicketDetail): TicketDetailJson {
  return {
    ...ticketToJson(detail.ticket),
    firstValues: detail.ticket.firstValues,
    lastValues: detail.ticket.lastValues,
    events: detail.events.map(eventToJson),
  };
}
