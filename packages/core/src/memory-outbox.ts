import {
  type AttemptOutcome,
  acceptsEvent,
  type ChannelStatus,
  type NotificationStore,
  type PendingNotification,
} from "./notification-store.ts";
import type { Ticket, TicketEvent } from "./ticket.ts";

/** What the in-memory outbox reads from the memory ticket store. */
export interface MemoryOutboxSource {
  /** Every event, in id order. */
  events(): readonly TicketEvent[];
  ticket(id: number): Ticket | undefined;
  /** Every ticket. */
  tickets(): Iterable<Ticket>;
}

interface Delivery {
  readonly eventId: number;
  readonly key: string;
  readonly eventAt: number;
  attempts: number;
  nextAttemptAt: number;
  state: "pending" | "delivered" | "failed" | "withheld";
  lastError: string | null;
  deliveredAt: number | null;
}

interface Channel {
  cursor: number;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  readonly deliveries: Map<number, Delivery>;
}

/** The {@link NotificationStore} half of the memory store; same behaviour as the SQLite store. */
export function createMemoryOutbox(source: MemoryOutboxSource): NotificationStore {
  const channels = new Map<string, Channel>();
  const channel = (name: string): Channel => {
    const found = channels.get(name);
    if (!found) throw new Error(`Notification channel ${name} is not open`);
    return found;
  };

  return {
    async openChannel(name) {
      if (channels.has(name)) return;
      const cursor = source.events().at(-1)?.id ?? 0;
      channels.set(name, {
        cursor,
        lastSuccessAt: null,
        lastErrorAt: null,
        lastError: null,
        deliveries: new Map(),
      });
    },

    async nextNotifications(name, filter, now, limit, subjects) {
      const scope = subjects === undefined ? undefined : new Set(subjects);
      const state = channel(name);
      for (const event of source.events()) {
        if (event.id <= state.cursor) continue;
        const ticket = source.ticket(event.ticketId) as Ticket;
        if (acceptsEvent(filter, event, ticket)) {
          state.deliveries.set(event.id, {
            eventId: event.id,
            key: ticket.key,
            eventAt: event.at,
            attempts: 0,
            nextAttemptAt: 0,
            state: "pending",
            lastError: null,
            deliveredAt: null,
          });
        }
        state.cursor = event.id;
      }
      const heads = new Map<string, Delivery>();
      for (const delivery of [...state.deliveries.values()].sort((a, b) => a.eventId - b.eventId)) {
        if (delivery.state === "pending" && !heads.has(delivery.key)) heads.set(delivery.key, delivery);
      }
      const events = new Map(source.events().map((event) => [event.id, event]));
      const due: PendingNotification[] = [];
      for (const head of [...heads.values()].sort((a, b) => a.eventId - b.eventId)) {
        if (due.length >= limit) break;
        if (head.nextAttemptAt > now) continue;
        const event = events.get(head.eventId) as TicketEvent;
        const ticket = source.ticket(event.ticketId) as Ticket;
        if (scope !== undefined && !scope.has(ticket.subject)) continue;
        due.push({ channel: name, event, ticket, attempts: head.attempts });
      }
      return due;
    },

    async recordAttempt(name, eventId, result: AttemptOutcome, now) {
      const state = channels.get(name);
      const delivery = state?.deliveries.get(eventId);
      if (!state || !delivery || delivery.state !== "pending") return;
      delivery.attempts++;
      if (result.outcome === "delivered") {
        delivery.state = "delivered";
        delivery.deliveredAt = now;
        state.lastSuccessAt = now;
        return;
      }
      delivery.lastError = result.reason;
      if (result.outcome === "retry") delivery.nextAttemptAt = result.nextAttemptAt;
      else delivery.state = result.outcome;
      if (result.outcome !== "withheld") {
        state.lastError = result.reason;
        state.lastErrorAt = now;
      }
    },

    async notificationStatus() {
      return [...channels.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, state]): ChannelStatus => {
          const all = [...state.deliveries.values()];
          const pending = all.filter((d) => d.state === "pending");
          return {
            channel: name,
            cursor: state.cursor,
            pending: pending.length,
            unexamined: source.events().filter((event) => event.id > state.cursor).length,
            oldestPendingAt: pending.reduce<number | null>(
              (m, d) => (m === null || d.eventAt < m ? d.eventAt : m),
              null,
            ),
            lastSuccessAt: state.lastSuccessAt,
            lastErrorAt: state.lastErrorAt,
            lastError: state.lastError,
            failed: all.filter((d) => d.state === "failed").length,
          };
        });
    },

    async unresolvedTickets() {
      return [...source.tickets()].filter((t) => t.status !== "resolved").sort((a, b) => a.id - b.id);
    },
  };
}
