import type { DeliveryContext, Notification, Ticket, TicketEvent } from "@operator/core";

/** When test tickets were first seen: 2026-01-02T03:04:05.000Z. */
export const FIRST_SEEN = Date.UTC(2026, 0, 2, 3, 4, 5);

/** A ticket with plausible values; `overrides` replaces any field. */
export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  const subject = overrides.subject ?? "prod-tikv";
  const invariant = overrides.invariant ?? "store_down";
  const entity = overrides.entity ?? "store-4";
  return {
    id: 12,
    key: `${subject}/${invariant}/${entity}`,
    subject,
    invariant,
    entity,
    severity: "critical",
    status: "open",
    held: false,
    flapping: false,
    silenced: false,
    message: "store 4 (10.0.1.7:20160) is Down for 2m",
    firstSeenAt: FIRST_SEEN,
    lastSeenAt: FIRST_SEEN + 60_000,
    occurrenceCount: 3,
    batchKey: "cycle-1",
    previousTicketId: null,
    firstValues: { state: "Down" },
    lastValues: { state: "Down", downForMs: 120_000 },
    runbook: null,
    diagnosis: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    createdAt: FIRST_SEEN,
    updatedAt: FIRST_SEEN + 60_000,
    ...overrides,
  };
}

/** A notification of one event of `ticket` to `channel`, id `<channel>:<event id>`. */
export function makeNotification(
  ticket: Ticket,
  event: Partial<TicketEvent> = {},
  channel = "webhook",
  attempt = 1,
): Notification {
  const full: TicketEvent = {
    id: 101,
    ticketId: ticket.id,
    at: ticket.updatedAt,
    actor: "monitor",
    kind: "opened",
    from: null,
    to: "open",
    comment: null,
    ...event,
  };
  return { id: `${channel}:${full.id}`, channel, event: full, ticket, attempt };
}

/** A delivery context with a deadline `ms` from now and a signal that is never aborted. */
export function context(ms = 5000, signal: AbortSignal = new AbortController().signal): DeliveryContext {
  return { signal, deadline: Date.now() + ms };
}
