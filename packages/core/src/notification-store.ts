import type { NotificationFilter } from "./notifier.ts";
import type { Ticket, TicketEvent } from "./ticket.ts";

/** One event a channel still has to deliver, as the store hands it to the dispatcher. */
export interface PendingNotification {
  readonly channel: string;
  readonly event: TicketEvent;
  /** The ticket as stored now. */
  readonly ticket: Ticket;
  /** Attempts already recorded for this event on this channel (0 before the first). */
  readonly attempts: number;
}

/** How one attempt ended, as the store records it. `withheld` settles it without sending (silences). */
export type AttemptOutcome =
  | { readonly outcome: "delivered" }
  | { readonly outcome: "retry"; readonly reason: string; readonly nextAttemptAt: number }
  | { readonly outcome: "failed"; readonly reason: string }
  | { readonly outcome: "withheld"; readonly reason: string };

/** Delivery state of one channel, for `operator notifications status` and metrics. */
export interface ChannelStatus {
  readonly channel: string;
  /** The event id up to which the channel has taken every event into its outbox. */
  readonly cursor: number;
  /** Events accepted by the channel and not yet delivered, failed or withheld. */
  readonly pending: number;
  /** History events after the cursor, not yet examined against the channel's filter. */
  readonly unexamined: number;
  /** Time (epoch ms) of the oldest pending event; null when nothing is pending. */
  readonly oldestPendingAt: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastErrorAt: number | null;
  readonly lastError: string | null;
  /** Events recorded as failed for good. */
  readonly failed: number;
}

/**
 * The outbox port the dispatcher works through. The ticket history is the outbox: every event is a
 * notification to every channel whose filter accepts it. A store that implements {@link TicketStore}
 * implements this too (`@operator/db` on SQLite, `createMemoryTicketStore()` in memory), and both keep
 * the delivery state per channel: a cursor (events up to it are taken in) and one row per
 * (channel, event) with attempts, next attempt time, state and last error.
 */
export interface NotificationStore {
  /**
   * Registers a channel. A channel first seen starts at the current end of the history: events
   * written before it existed are not sent. Registering again changes nothing.
   */
  openChannel(channel: string, now: number): Promise<void>;
  /**
   * Takes events written since the last call into the channel's outbox (those `filter` accepts), then
   * returns what is due at `now`, in event order: per ticket key only the earliest pending event (a
   * key waits while its earlier event is pending; other keys do not), and only when its next attempt
   * time has come. At most `limit` notifications. With `subjects`, only events of tickets of those
   * subjects are returned (the others stay pending for whoever leads their subject).
   */
  nextNotifications(
    channel: string,
    filter: NotificationFilter | undefined,
    now: number,
    limit: number,
    subjects?: readonly string[],
  ): Promise<readonly PendingNotification[]>;
  /** Records one attempt's result for (channel, event). */
  recordAttempt(channel: string, eventId: number, result: AttemptOutcome, now: number): Promise<void>;
  /** Every registered channel's delivery state, sorted by name. */
  notificationStatus(): Promise<readonly ChannelStatus[]>;
  /** Every unresolved ticket, oldest first (for notifiers that re-send state). */
  unresolvedTickets(): Promise<readonly Ticket[]>;
}

/** Whether `filter` accepts `event` of `ticket` (unset fields accept everything). */
export function acceptsEvent(
  filter: NotificationFilter | undefined,
  event: Pick<TicketEvent, "kind">,
  ticket: Pick<Ticket, "severity" | "subject" | "invariant">,
): boolean {
  return acceptsTicket(filter, ticket) && (filter?.kinds === undefined || filter.kinds.includes(event.kind));
}

/** Whether `filter` accepts `ticket`, event kinds aside (for re-sends of unresolved tickets). */
export function acceptsTicket(
  filter: NotificationFilter | undefined,
  ticket: Pick<Ticket, "severity" | "subject" | "invariant">,
): boolean {
  if (filter === undefined) return true;
  if (filter.severities !== undefined && !filter.severities.includes(ticket.severity)) return false;
  if (filter.subjects !== undefined && !filter.subjects.includes(ticket.subject)) return false;
  if (filter.invariants !== undefined && !filter.invariants.includes(ticket.invariant)) return false;
  return true;
}

/** The idempotency id of `event` on `channel`: the same on every retry. */
export function notificationId(channel: string, eventId: number): string {
  return `${channel}:${eventId}`;
}
