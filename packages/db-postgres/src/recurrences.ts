import type { Ticket } from "@operator/core";
import type { TransactionSql } from "postgres";
import { ticketRecord } from "./rows.ts";

/** Plain recurrences that share their times: one `UPDATE` writes them all. */
export interface RecurrenceGroup {
  readonly lastSeenAt: number;
  readonly updatedAt: number;
  readonly ids: number[];
}

/** A cycle's ticket writes: plain recurrences by time, and full records of every other change. */
export interface TicketWrites {
  readonly recurrences: readonly RecurrenceGroup[];
  readonly records: readonly Record<string, unknown>[];
}

/** Fields a plain recurrence leaves as stored. */
const KEPT = [
  "severity",
  "status",
  "held",
  "flapping",
  "silenced",
  "message",
  "firstSeenAt",
  "batchKey",
  "previousTicketId",
  "firstValues",
  "runbook",
  "diagnosis",
  "acknowledgedAt",
  "acknowledgedBy",
  "resolvedAt",
  "resolvedBy",
] as const satisfies readonly (keyof Ticket)[];

/**
 * Splits changed tickets into plain recurrences (only `lastSeenAt`, `updatedAt` moved and
 * `occurrenceCount` went up by one; latest values equal to the stored JSON) and the rest, which are
 * written in full from `ticketRecord`. In a steady cycle every change is a plain recurrence, and
 * `occurrence_count + 1` computed under the cycle's write lock equals what the planner asked for.
 */
export function splitTicketWrites(
  changed: Iterable<Ticket>,
  stored: ReadonlyMap<number, Ticket>,
  lastValuesJson: ReadonlyMap<number, string>,
): TicketWrites {
  const recurrences: RecurrenceGroup[] = [];
  const records: Record<string, unknown>[] = [];
  for (const after of changed) {
    const before = stored.get(after.id);
    const json =
      before !== undefined && after.lastValues === before.lastValues
        ? lastValuesJson.get(after.id)
        : undefined;
    if (before === undefined || !isPlainRecurrence(before, after, lastValuesJson.get(after.id))) {
      records.push(ticketRecord(after, json));
      continue;
    }
    let group = recurrences.find((g) => g.lastSeenAt === after.lastSeenAt && g.updatedAt === after.updatedAt);
    if (group === undefined) {
      group = { lastSeenAt: after.lastSeenAt, updatedAt: after.updatedAt, ids: [] };
      recurrences.push(group);
    }
    group.ids.push(after.id);
  }
  return { recurrences, records };
}

/** Writes each group of plain recurrences with one statement. */
export async function bumpRecurrences(tx: TransactionSql, groups: readonly RecurrenceGroup[]): Promise<void> {
  await Promise.all(
    groups.map(
      (g) => tx`
        UPDATE tickets SET last_seen_at = ${g.lastSeenAt}, updated_at = ${g.updatedAt},
          occurrence_count = occurrence_count + 1
        WHERE id = ANY(${g.ids}::bigint[])`,
    ),
  );
}

// --- Internal helpers ---

function isPlainRecurrence(before: Ticket, after: Ticket, storedJson: string | undefined): boolean {
  if (after.occurrenceCount !== before.occurrenceCount + 1) return false;
  for (const field of KEPT) if (after[field] !== before[field]) return false;
  if (after.lastValues === before.lastValues) return true;
  return storedJson !== undefined && JSON.stringify(after.lastValues) === storedJson;
}
