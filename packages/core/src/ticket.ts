import type { Severity } from "./severity.ts";
import type { Runbook, Values } from "./subject.ts";

/** Where a ticket is in its life. Moves forward only: open → acknowledged → diagnosed → resolved. */
export type TicketStatus = "open" | "acknowledged" | "diagnosed" | "resolved";

/** Every status, in order. */
export const TICKET_STATUSES: readonly TicketStatus[] = ["open", "acknowledged", "diagnosed", "resolved"];

/** Who made a change: `monitor` for the loop, otherwise a person's name. */
export type Actor = string;

/** The actor name the monitor loop writes under. */
export const MONITOR_ACTOR: Actor = "monitor";

/** One problem, as people see it. Times are epoch milliseconds. */
export interface Ticket {
  readonly id: number;
  /** The violation key `subject/invariant/entity`. */
  readonly key: string;
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string;
  readonly severity: Severity;
  readonly status: TicketStatus;
  /** A person put it on hold: the monitor will not resolve it. */
  readonly held: boolean;
  /** The key is flapping: the ticket stays open through clear cycles. */
  readonly flapping: boolean;
  /** A silence covers the ticket: its notifications are withheld (it still opens, updates, resolves). */
  readonly silenced: boolean;
  /** The latest message. */
  readonly message: string;
  /** When the violation began (the start of its grace period). */
  readonly firstSeenAt: number;
  /** The latest cycle that saw it violated. */
  readonly lastSeenAt: number;
  /** How many cycles saw it violated while this ticket was open. */
  readonly occurrenceCount: number;
  /** The cycle that opened it; tickets opened together share it. */
  readonly batchKey: string;
  /** The previous ticket of the same key, if the problem recurred after a resolve. */
  readonly previousTicketId: number | null;
  /** The values behind the violation when the ticket opened. */
  readonly firstValues: Values;
  /** The values behind the latest violation. */
  readonly lastValues: Values;
  /** What to check first, from the invariant as of the latest violation; null when it has none. */
  readonly runbook: Runbook | null;
  readonly diagnosis: string | null;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: Actor | null;
  readonly resolvedAt: number | null;
  readonly resolvedBy: Actor | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Every kind of change an event records, in the order a ticket usually meets them. */
export const TICKET_EVENT_KINDS = [
  "opened",
  "acknowledged",
  "diagnosed",
  "resolved",
  "held",
  "unheld",
  "severity_changed",
  "flapping_started",
  "flapping_stopped",
  "silenced",
  "unsilenced",
] as const;

/** What kind of change an event records. */
export type TicketEventKind = (typeof TICKET_EVENT_KINDS)[number];

/** One change to a ticket, by the monitor or a person. Append-only. */
export interface TicketEvent {
  readonly id: number;
  readonly ticketId: number;
  readonly at: number;
  readonly actor: Actor;
  readonly kind: TicketEventKind;
  /** The value before the change (a status, a severity), where one applies. */
  readonly from: string | null;
  /** The value after the change. */
  readonly to: string | null;
  readonly comment: string | null;
}

/** An event not yet written: the store gives it `id` (and `ticketId` for new tickets). */
export type EventDraft = Omit<TicketEvent, "id" | "ticketId">;

/** A ticket with its whole history, oldest event first. */
export interface TicketDetail {
  readonly ticket: Ticket;
  readonly events: readonly TicketEvent[];
}
