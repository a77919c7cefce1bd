import type { Severity } from "./severity.ts";
import type { CyclePlan } from "./store.ts";
import type { Ticket, TicketEventKind } from "./ticket.ts";

/** One ticket event a cycle wrote, with the ticket it belongs to: what a log line or a notification needs. */
export interface CycleTicketEvent {
  readonly ticketId: number;
  /** The ticket's violation key. */
  readonly key: string;
  readonly kind: TicketEventKind;
  readonly from: string | null;
  readonly to: string | null;
  /** The reason of a resolve, the message of an opening. */
  readonly comment: string | null;
  readonly at: number;
  /** The ticket's severity after the cycle's change. */
  readonly severity: Severity;
  /** The ticket's message after the cycle's change. */
  readonly message: string;
}

const NONE: readonly CycleTicketEvent[] = Object.freeze([]);

/**
 * The events a committed cycle wrote, in write order (changes to existing tickets, then openings).
 * `before` is the cycle's snapshot of unresolved tickets; `opened` the tickets the store created.
 * A steady cycle (recurrences only) builds nothing.
 */
export function cycleEvents(
  plan: Pick<CyclePlan, "change" | "open">,
  opened: readonly Ticket[],
  before: ReadonlyMap<string, Ticket>,
): readonly CycleTicketEvent[] {
  const changed = plan.change.filter((change) => change.events.length > 0);
  if (changed.length === 0 && opened.length === 0) return NONE;
  const events: CycleTicketEvent[] = [];
  if (changed.length > 0) {
    const byId = new Map<number, Ticket>();
    for (const ticket of before.values()) byId.set(ticket.id, ticket);
    for (const change of changed) {
      const ticket = byId.get(change.id);
      if (ticket === undefined) continue;
      const severity = change.patch.severity ?? ticket.severity;
      const message = change.patch.message ?? ticket.message;
      for (const e of change.events) {
        events.push({ ticketId: ticket.id, key: ticket.key, ...pick(e), severity, message });
      }
    }
  }
  if (opened.length > 0) {
    const drafts = new Map(plan.open.map((draft) => [draft.key, draft]));
    for (const ticket of opened) {
      for (const e of drafts.get(ticket.key)?.events ?? []) {
        events.push({
          ticketId: ticket.id,
          key: ticket.key,
          ...pick(e),
          severity: ticket.severity,
          message: ticket.message,
        });
      }
    }
  }
  return events;
}

function pick(e: Omit<CycleTicketEvent, "ticketId" | "key" | "severity" | "message">) {
  return { kind: e.kind, from: e.from, to: e.to, comment: e.comment, at: e.at };
}
