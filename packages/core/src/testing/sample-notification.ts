import type { Notification } from "../notifier.ts";
import type { Ticket, TicketEvent } from "../ticket.ts";

/** Overrides of {@link sampleNotification}. */
export interface SampleNotificationOptions {
  readonly channel?: string;
  readonly ticket?: Partial<Ticket>;
  readonly event?: Partial<TicketEvent>;
  readonly attempt?: number;
}

/**
 * A well-formed notification for notifier tests: ticket 7 (`tikv/store_down/1`, critical, open) and
 * its `opened` event 42, attempt 1, with the idempotency id `<channel>:<event id>`.
 */
export function sampleNotification(options: SampleNotificationOptions = {}): Notification {
  const at = Date.UTC(2026, 0, 31, 12, 0, 0);
  const ticket: Ticket = {
    id: 7,
    key: "tikv/store_down/1",
    subject: "tikv",
    invariant: "store_down",
    entity: "1",
    severity: "critical",
    status: "open",
    held: false,
    flapping: false,
    silenced: false,
    message: "Store 1 (tikv-1:20160) is Disconnected",
    firstSeenAt: at - 20_000,
    lastSeenAt: at,
    occurrenceCount: 1,
    batchKey: "2026-01-31T12:00:00.000Z-000001",
    previousTicketId: null,
    firstValues: { state: "Disconnected" },
    lastValues: { state: "Disconnected" },
    runbook: {
      hint: "Check the tikv-server process and the disk on the store's host",
      url: "https://docs.pingcap.com/tidb/stable/tikv-troubleshooting-map",
    },
    diagnosis: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    createdAt: at,
    updatedAt: at,
    ...options.ticket,
  };
  const event: TicketEvent = {
    id: 42,
    ticketId: ticket.id,
    at,
    actor: "monitor",
    kind: "opened",
    from: null,
    to: "open",
    comment: null,
    ...options.event,
  };
  const channel = options.channel ?? "test";
  return { id: `${channel}:${event.id}`, channel, event, ticket, attempt: options.attempt ?? 1 };
}
