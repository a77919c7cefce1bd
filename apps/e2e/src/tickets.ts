import type { ListedTicket } from "./operator-cli.ts";

/** True for a ticket that is not resolved (open, acknowledged or diagnosed). */
export function isUnresolved(ticket: ListedTicket): boolean {
  return ticket.status !== "resolved";
}

/** Tickets grouped by violation key, oldest first within a key. */
export function byKey(tickets: readonly ListedTicket[]): Map<string, ListedTicket[]> {
  const groups = new Map<string, ListedTicket[]>();
  for (const ticket of [...tickets].sort((a, b) => a.id - b.id)) {
    const group = groups.get(ticket.key) ?? [];
    group.push(ticket);
    groups.set(ticket.key, group);
  }
  return groups;
}

/** Keys with more than one unresolved ticket: must always be empty (one open ticket per key). */
export function duplicateOpenKeys(tickets: readonly ListedTicket[]): string[] {
  return [...byKey(tickets)].filter(([, group]) => group.filter(isUnresolved).length > 1).map(([key]) => key);
}

/** When a ticket opened (its row was created), as opposed to when its violation began (`firstSeenAt`). */
export function openedAt(ticket: ListedTicket): number {
  return ticket.createdAt;
}
