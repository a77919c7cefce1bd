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
  /** The JSON each changed ticket's latest values are stored as once these writes commit. */
  readonly lastValuesJson: ReadonlyMap<number, string>;
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
  const written = new Map<number, string>();
  for (const after of changed) {
    const before = stored.get(after.id);
    const storedJson = lastValuesJson.get(after.id);
    if (before === undefined || storedJson === undefined || !isPlainRecurrence(before, after, storedJson)) {
      const record = ticketRecord(after, after.lastValues === before?.lastValues ? storedJson : undefined);
      records.push(record);
      written.set(after.id, record.last_values as string);
      continue;
    }
    written.set(after.id, storedJson);
    let group = recurrences.find((g) => g.lastSeenAt === after.lastSeenAt && g.updatedAt === after.updatedAt);
    if (group === undefined) {
      group = { lastSeenAt: after.lastSeenAt, updatedAt: after.updatedAt, ids: [] };
      recurrences.push(group);
    }
    group.ids.push(after.id);
  }
  return { recurrences, records, lastValuesJson: written };
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

function isPlainRecurrence(before: Ticket, after: Ticket, storedJson: string): boolean {
  if (after.occurrenceCount !== before.occurrenceCount + 1) return false;
  for (const field of KEPT) if (after[field] !== before[field]) return false;
  if (after.lastValues === before.lastValues) return true;
  return JSON.stringify(after.lastValues) === storedJson;
}
