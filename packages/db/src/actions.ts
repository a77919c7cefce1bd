import { planAction, type Ticket, type TicketAction, TicketNotFoundError } from "@operator/core";
import { patchParams } from "./patch-sql.ts";
import { ticketFromRow } from "./rows.ts";
import type { Statements } from "./statements.ts";

/**
 * The body of a person's action; the caller runs it inside `BEGIN IMMEDIATE`. Reads the ticket,
 * lets core's `planAction` validate the move (it throws `TransitionError`), and writes the patch and
 * its events. Returns the ticket as stored afterwards.
 */
export function applyActionInTransaction(
  s: Statements,
  id: number,
  action: TicketAction,
  now: number,
): Ticket {
  const row = s.ticketById.get(id);
  if (row === undefined) throw new TicketNotFoundError(id);
  const change = planAction(ticketFromRow(row), action, now);
  s.patcher.run(patchParams(id, change.patch));
  for (const e of change.events) {
    s.insertEvent.run(id, e.at, e.actor, e.kind, e.from ?? null, e.to ?? null, e.comment ?? null);
  }
  const after = s.ticketById.get(id);
  if (after === undefined) throw new TicketNotFoundError(id);
  return ticketFromRow(after);
}
