import {
  type ConfiguredInvariants,
  type OrphanResolution,
  orphanResolution,
  planOrphans,
  type Ticket,
  TicketNotFoundError,
} from "@operator/core";
import { patchParams } from "./patch-sql.ts";
import { keyStateFromRow, ticketFromRow } from "./rows.ts";
import type { Statements } from "./statements.ts";

/**
 * The body of `resolveOrphans`; the caller runs it inside `BEGIN IMMEDIATE`. Reads every unresolved
 * ticket and every key state, lets core's `planOrphans` decide, and writes the resolves, their
 * events and the dropped key states.
 */
export function resolveOrphansInTransaction(
  s: Statements,
  configured: ConfiguredInvariants,
  now: number,
): OrphanResolution {
  const unresolved = s.unresolvedTickets.all().map(ticketFromRow);
  const states = s.allStates.all().map(keyStateFromRow);
  const plan = planOrphans(unresolved, states, configured, now);
  const resolved: Ticket[] = [];
  for (const change of plan.change) {
    s.patcher.run(patchParams(change.id, change.patch));
    for (const e of change.events) {
      s.insertEvent.run(change.id, e.at, e.actor, e.kind, e.from ?? null, e.to ?? null, e.comment ?? null);
    }
    const after = s.ticketById.get(change.id);
    if (after === undefined) throw new TicketNotFoundError(change.id);
    resolved.push(ticketFromRow(after));
  }
  for (const key of plan.deleteStates) s.deleteState.run(key);
  return orphanResolution(plan, resolved);
}
