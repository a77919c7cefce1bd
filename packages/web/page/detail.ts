import type { TicketDetailJson } from "./types.ts";

/** What the ticket view shows: nothing chosen, a read under way, the ticket, or why it cannot be read. */
export type Detail =
  | { readonly phase: "none" }
  | { readonly phase: "loading"; readonly id: number }
  | {
      readonly phase: "ready";
      readonly ticket: TicketDetailJson;
      /** Why the last read again of this ticket failed: the view shows what was read before. */
      readonly stale?: string;
    }
  | { readonly phase: "error"; readonly id: number; readonly message: string };

/** The view while ticket `id` is read: the ticket already shown stays on screen while it is read again. */
export function detailReading(previous: Detail, id: number): Detail {
  return previous.phase === "ready" && previous.ticket.id === id ? previous : { phase: "loading", id };
}

/**
 * The view after reading ticket `id` failed with `message`. A ticket already on screen stays there
 * with the failure noted (a passing network fault must not take it, or the keyboard focus in it,
 * away); a ticket that does not exist (`gone`) or was never read shows the failure instead.
 */
export function detailFailed(previous: Detail, id: number, message: string, gone: boolean): Detail {
  if (!gone && previous.phase === "ready" && previous.ticket.id === id)
    return { ...previous, stale: message };
  return { phase: "error", id, message };
}
