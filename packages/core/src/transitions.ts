import { TransitionError } from "./errors.ts";
import { type Actor, type EventDraft, MONITOR_ACTOR, type Ticket, type TicketStatus } from "./ticket.ts";

/** Where each status may move. Forward only; `resolve` from any unresolved state; nothing leaves `resolved`. */
export const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  open: ["acknowledged", "diagnosed", "resolved"],
  acknowledged: ["diagnosed", "resolved"],
  diagnosed: ["diagnosed", "resolved"],
  resolved: [],
};

/** True when a ticket in `from` may move to `to`. */
export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws a {@link TransitionError} naming both states unless the move is allowed. */
export function assertTransition(ticketId: number, from: TicketStatus, to: TicketStatus): void {
  if (!canTransition(from, to)) throw new TransitionError(ticketId, from, to);
}

/** What a person can do to a ticket. */
export type TicketAction =
  | { readonly type: "acknowledge"; readonly actor: Actor; readonly comment?: string }
  | {
      readonly type: "diagnose";
      readonly actor: Actor;
      readonly diagnosis: string;
      readonly comment?: string;
    }
  | { readonly type: "resolve"; readonly actor: Actor; readonly comment?: string }
  | { readonly type: "hold"; readonly actor: Actor; readonly comment?: string }
  | { readonly type: "unhold"; readonly actor: Actor; readonly comment?: string };

/** Fields a change may set on a ticket. */
export type TicketPatch = Partial<
  Omit<Ticket, "id" | "key" | "subject" | "invariant" | "entity" | "createdAt">
>;

/** A change to one existing ticket: the fields to set and the events that record it. */
export interface TicketChange {
  readonly id: number;
  readonly patch: TicketPatch;
  readonly events: readonly EventDraft[];
}

/**
 * Plans a person's action on a ticket: validates it against the transition table and the hold
 * flag, and returns the fields to set and the event to append. Pure; stores apply it atomically.
 */
export function planAction(ticket: Ticket, action: TicketAction, now: number): TicketChange {
  if (typeof action.actor !== "string" || action.actor.trim() === "") {
    throw new TransitionError(
      ticket.id,
      ticket.status,
      ticket.status,
      `Ticket ${ticket.id}: an action needs an actor`,
    );
  }
  const comment = action.comment ?? null;
  const event = (kind: EventDraft["kind"], from: string | null, to: string | null): EventDraft => ({
    at: now,
    actor: action.actor,
    kind,
    from,
    to,
    comment,
  });
  switch (action.type) {
    case "acknowledge":
      assertTransition(ticket.id, ticket.status, "acknowledged");
      return {
        id: ticket.id,
        patch: { status: "acknowledged", acknowledgedAt: now, acknowledgedBy: action.actor, updatedAt: now },
        events: [event("acknowledged", ticket.status, "acknowledged")],
      };
    case "diagnose": {
      assertTransition(ticket.id, ticket.status, "diagnosed");
      if (action.diagnosis.trim() === "") {
        throw new TransitionError(
          ticket.id,
          ticket.status,
          "diagnosed",
          `Ticket ${ticket.id}: a diagnosis needs text`,
        );
      }
      const ack = ticket.acknowledgedAt === null ? { acknowledgedAt: now, acknowledgedBy: action.actor } : {};
      return {
        id: ticket.id,
        patch: { status: "diagnosed", diagnosis: action.diagnosis, ...ack, updatedAt: now },
        events: [
          { ...event("diagnosed", ticket.status, "diagnosed"), comment: action.comment ?? action.diagnosis },
        ],
      };
    }
    case "resolve":
      assertTransition(ticket.id, ticket.status, "resolved");
      return {
        id: ticket.id,
        patch: { status: "resolved", held: false, resolvedAt: now, resolvedBy: action.actor, updatedAt: now },
        events: [event("resolved", ticket.status, "resolved")],
      };
    case "hold":
    case "unhold": {
      const held = action.type === "hold";
      if (ticket.status === "resolved") {
        throw new TransitionError(
          ticket.id,
          "resolved",
          ticket.status,
          `Ticket ${ticket.id} is resolved: it cannot be ${held ? "held" : "unheld"}`,
        );
      }
      if (ticket.held === held) {
        throw new TransitionError(
          ticket.id,
          ticket.status,
          ticket.status,
          `Ticket ${ticket.id} is already ${held ? "held" : "not held"}`,
        );
      }
      return {
        id: ticket.id,
        patch: { held, updatedAt: now },
        events: [event(held ? "held" : "unheld", String(!held), String(held))],
      };
    }
    default: {
      const type = String((action as { type?: unknown }).type);
      throw new TransitionError(
        ticket.id,
        ticket.status,
        ticket.status,
        `Ticket ${ticket.id}: unknown action "${type}"`,
      );
    }
  }
}

/**
 * A cycle's `patch` of `before` (the ticket as stored) checked against the rules people outrank
 * automation by: a resolved ticket is not changed, a held one is not resolved, and a status moves
 * only forward. A resolve gets its time (`now` unless the patch says) and `monitor` as resolver.
 * Throws a {@link TransitionError}; every ticket store applies a cycle's changes through it.
 */
export function checkMonitorPatch(before: Ticket, patch: TicketPatch, now: number): TicketPatch {
  if (before.status === "resolved") {
    throw new TransitionError(
      before.id,
      "resolved",
      patch.status ?? "resolved",
      `Ticket ${before.id} is resolved: a cycle cannot change it`,
    );
  }
  if (patch.status === undefined || patch.status === before.status) return patch;
  assertTransition(before.id, before.status, patch.status);
  if (patch.status !== "resolved") return patch;
  if (patch.held ?? before.held) {
    throw new TransitionError(
      before.id,
      before.status,
      "resolved",
      `Ticket ${before.id} is held: the monitor does not resolve held tickets`,
    );
  }
  return {
    ...patch,
    resolvedAt: patch.resolvedAt ?? patch.updatedAt ?? now,
    resolvedBy: patch.resolvedBy ?? MONITOR_ACTOR,
  };
}
