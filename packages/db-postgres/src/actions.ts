import {
  type ConfiguredInvariants,
  type OrphanResolution,
  orphanResolution,
  planAction,
  planOrphans,
  type Ticket,
  type TicketAction,
  TicketNotFoundError,
} from "@operator/core";
import type { TransactionSql } from "postgres";
import { leasedSubjects } from "./leases.ts";
import { type KeyStateRow, keyStateFromRow, type TicketRow, ticketFromRow, ticketRecord } from "./rows.ts";
import { deleteStates, insertEvents, lockWrites, ticketById, updateTickets } from "./writes.ts";

/**
 * A person's action, in the caller's transaction: takes the write lock, reads the ticket, lets core's
 * `planAction` validate the move (it throws `TransitionError`), and writes the change and its events.
 */
export async function applyActionInTransaction(
  tx: TransactionSql,
  id: number,
  action: TicketAction,
  now: number,
): Promise<Ticket> {
  await lockWrites(tx);
  const before = Number.isSafeInteger(id) ? await ticketById(tx, id) : undefined;
  if (before === undefined) throw new TicketNotFoundError(id);
  const change = planAction(before, action, now);
  const after = { ...before, ...defined(change.patch) } as Ticket;
  await updateTickets(tx, [ticketRecord(after)]);
  await insertEvents(
    tx,
    change.events.map((event) => ({ ticketId: id, event })),
  );
  return after;
}

/**
 * `resolveOrphans` in the caller's transaction: reads every unresolved ticket and key state under
 * the write lock, lets core's `planOrphans` decide, and writes the resolves, events and dropped states.
 */
export async function resolveOrphansInTransaction(
  tx: TransactionSql,
  configured: ConfiguredInvariants,
  now: number,
  leaseNow: number | null,
): Promise<OrphanResolution> {
  await lockWrites(tx);
  const leased = await leasedSubjects(tx, leaseNow);
  const unresolved = (
    await tx<TicketRow[]>`SELECT * FROM tickets WHERE status <> 'resolved' ORDER BY id`
  ).map(ticketFromRow);
  const states = (await tx<KeyStateRow[]>`SELECT * FROM key_states ORDER BY key COLLATE "C"`).map(
    keyStateFromRow,
  );
  const plan = planOrphans(unresolved, states, configured, now, leased);
  const byId = new Map(unresolved.map((t) => [t.id, t]));
  const resolved: Ticket[] = [];
  for (const change of plan.change) {
    const before = byId.get(change.id);
    if (before === undefined) throw new TicketNotFoundError(change.id);
    const after = { ...before, ...defined(change.patch) } as Ticket;
    byId.set(after.id, after);
    resolved.push(after);
  }
  await updateTickets(
    tx,
    resolved.map((t) => ticketRecord(t)),
  );
  await insertEvents(
    tx,
    plan.change.flatMap((change) => change.events.map((event) => ({ ticketId: change.id, event }))),
  );
  await deleteStates(tx, plan.deleteStates);
  return orphanResolution(plan, resolved);
}

function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
