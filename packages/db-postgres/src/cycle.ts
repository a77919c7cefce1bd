import {
  type CommittedWrites,
  type CyclePlan,
  type CycleResult,
  type CycleSnapshot,
  checkMonitorPatch,
  type LeaseFence,
  SILENCE_SNAPSHOT_WINDOW_MS,
  type SnapshotCache,
  type SnapshotRows,
  sharedOpeningEvent,
  storedValues,
  type Ticket,
  type TicketDraft,
  TicketNotFoundError,
  type TicketPatch,
  ticketFromDraft,
  type WrittenTicket,
} from "@operator/core";
import type { TransactionSql } from "postgres";
import { PostgresDuplicateOpenTicketError } from "./errors.ts";
import { checkFence } from "./leases.ts";
import { bumpRecurrences, splitTicketWrites } from "./recurrences.ts";
import {
  type IdentityRow,
  identityFromRow,
  type KeyStateRow,
  keyStateFromRow,
  type TicketRow,
  ticketFromRow,
} from "./rows.ts";
import { type SilenceRow, silenceFromRow } from "./silences.ts";
import {
  deleteStates,
  type EventInsert,
  insertEvents,
  lockWrites,
  ticketById,
  updateTickets,
  upsertIdentities,
  upsertStates,
} from "./writes.ts";

/** How long the cycle log is kept. */
export interface CycleLogRetention {
  /** Keep at most this many rows. @default 50000 */
  readonly maxRows?: number;
  /** Drop rows that started longer ago than this. @default 30 days */
  readonly maxAgeMs?: number;
}

/** What {@link recordCycleInTransaction} needs besides the transaction. */
export interface CycleContext {
  readonly target: string;
  readonly now: () => number;
  /** The clock of leases: a test clock, or undefined for the database's own clock. */
  readonly leaseNow: (() => number) | undefined;
  readonly retention: Required<CycleLogRetention>;
}

/**
 * New tickets from one array per column (`unnest`, which PostgreSQL parses several times faster than
 * the same rows as JSON), in array order; each key's latest ticket (resolved, since the plan was
 * checked against the unresolved ones) becomes the new one's previous ticket.
 */
const INSERT_TICKETS = `
  INSERT INTO tickets (key, subject, invariant, entity, severity, status, held, flapping, silenced, message,
    first_seen_at, last_seen_at, occurrence_count, batch_key, previous_ticket_id, first_values, last_values,
    runbook, created_at, updated_at)
  SELECT key, subject, invariant, entity, severity, 'open', false, flapping, silenced, message,
    first_seen_at, last_seen_at, occurrence_count, batch_key,
    (SELECT max(t.id) FROM tickets AS t WHERE t.key = x.key), values_json, values_json,
    runbook, created_at, created_at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[],
    $8::text[], $9::bigint[], $10::bigint[], $11::integer[], $12::text[], $13::text[], $14::text[],
    $15::bigint[])
    WITH ORDINALITY AS x(key, subject, invariant, entity, severity, flapping, silenced, message,
      first_seen_at, last_seen_at, occurrence_count, batch_key, values_json, runbook, created_at, n)
  ORDER BY n
  RETURNING id, key, previous_ticket_id`;

/** {@link INSERT_TICKETS} plus the one event every new ticket gets, in ticket order, in one statement. */
const INSERT_TICKETS_AND_EVENT = `
  WITH inserted AS (${INSERT_TICKETS}),
  opened AS (
    INSERT INTO ticket_events (ticket_id, at, actor, kind, from_value, to_value, comment)
    SELECT id, $16::bigint, $17::text, $18::text, $19::text, $20::text, $21::text FROM inserted ORDER BY id)
  SELECT id, key, previous_ticket_id FROM inserted`;

/** A committed cycle's result, what it wrote, and the snapshot version its commit left. */
export interface CycleOutcome {
  readonly result: CycleResult;
  readonly writes: CommittedWrites;
  readonly version: string;
}

/**
 * The body of one cycle; the caller runs it in a transaction. Takes the write lock, checks the
 * `fence` (when replicas share the database), reads the snapshot version and the silences, then
 * the key states, unresolved tickets and identities of the subjects `cache` does not hold at that
 * version; lets `plan` decide, checks the plan against what is stored, and writes it set-based: one
 * statement each for ticket changes, events, key states, identities and new tickets. Any throw rolls
 * everything back, and the caller must then drop the cache.
 */
export async function recordCycleInTransaction(
  tx: TransactionSql,
  ctx: CycleContext,
  cache: SnapshotCache,
  subjects: readonly string[],
  plan: (snapshot: CycleSnapshot) => CyclePlan,
  fence?: LeaseFence,
): Promise<CycleOutcome> {
  const since = ctx.now() - SILENCE_SNAPSHOT_WINDOW_MS;
  // One round trip: the lock, the fence, the version and the silences, pipelined on the transaction's connection.
  const [, , version, silenceRows] = await Promise.all([
    lockWrites(tx),
    checkFence(tx, ctx.leaseNow?.() ?? null, fence, subjects),
    snapshotVersion(tx),
    tx<SilenceRow[]>`
      SELECT * FROM silences WHERE ends_at > ${since} AND (expired_at IS NULL OR expired_at > ${since})
      ORDER BY id`,
  ]);
  const missing = cache.missing(version, subjects);
  if (missing.length > 0) cache.fill(missing, await readSnapshot(tx, missing));
  const loaded = cache.snapshot(subjects);
  const decided = plan({
    states: loaded.states,
    openTickets: loaded.openTickets,
    identities: loaded.identities,
    silences: silenceRows.map(silenceFromRow),
  });
  const now = ctx.now();

  const byId = new Map<number, Ticket>();
  for (const ticket of loaded.openTickets.values()) byId.set(ticket.id, ticket);
  const stored = new Map(byId);
  const changed = new Map<number, Ticket>();
  const events: EventInsert[] = [];
  const resolved: Ticket[] = [];
  const resolvedKeys = new Set<string>();
  for (const change of decided.change) {
    const before = byId.get(change.id) ?? (await ticketById(tx, change.id));
    if (before === undefined) throw new TicketNotFoundError(change.id);
    const after = { ...before, ...checkMonitorPatch(before, stripUndefined(change.patch), now) } as Ticket;
    byId.set(after.id, after);
    changed.set(after.id, after);
    for (const event of change.events) events.push({ ticketId: after.id, event });
    if (after.status === "resolved") {
      resolved.push(after);
      resolvedKeys.add(after.key);
    }
  }
  const writes = splitTicketWrites(changed.values(), stored, loaded.lastValuesJson);
  // Pipelined: the statements run in this order on the connection, in one round trip.
  await Promise.all([
    bumpRecurrences(tx, writes.recurrences),
    updateTickets(tx, writes.records),
    insertEvents(tx, events),
    deleteStates(tx, decided.deleteStates),
    upsertStates(tx, decided.upsertStates),
    upsertIdentities(tx, decided.identities),
    writeLog(tx, ctx, decided, now),
  ]);
  const opened = await insertOpened(tx, ctx.target, decided, loaded.openTickets, resolvedKeys);
  const written: WrittenTicket[] = [...changed.values()].map((ticket) => ({
    ticket,
    lastValuesJson: writes.lastValuesJson.get(ticket.id),
  }));
  return {
    result: { opened: opened.map((o) => o.ticket), resolved, changed: decided.change.length },
    writes: {
      upserted: decided.upsertStates,
      deleted: decided.deleteStates,
      identities: decided.identities,
      tickets: [...written, ...opened],
    },
    version: await snapshotVersion(tx),
  };
}

/** The patch without fields set to `undefined` (which leave the stored value as it is); itself when it has none. */
function stripUndefined(patch: TicketPatch): TicketPatch {
  for (const field in patch) {
    if (patch[field as keyof TicketPatch] !== undefined) continue;
    const stripped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(patch)) if (value !== undefined) stripped[key] = value;
    return stripped as TicketPatch;
  }
  return patch;
}

/** Type ids of `postgres`'s array parameters. */
const TEXT = 25;
const BOOL = 16;
const INT4 = 23;
const INT8 = 20;

/** What the ticket insert returns for each new ticket. */
interface InsertedTicket {
  readonly id: number;
  readonly key: string;
  readonly previous_ticket_id: number | null;
}

async function insertOpened(
  tx: TransactionSql,
  target: string,
  plan: CyclePlan,
  openTickets: ReadonlyMap<string, Ticket>,
  resolvedKeys: ReadonlySet<string>,
): Promise<WrittenTicket[]> {
  if (plan.open.length === 0) return [];
  const keys = new Set<string>();
  for (const draft of plan.open) {
    if (keys.has(draft.key) || (openTickets.has(draft.key) && !resolvedKeys.has(draft.key))) {
      throw new PostgresDuplicateOpenTicketError(target, draft.key);
    }
    keys.add(draft.key);
  }
  const drafts = plan.open;
  const valuesJson = drafts.map((draft) => JSON.stringify(draft.values));
  const column = <T>(field: (draft: TicketDraft, n: number) => T, type: number) =>
    tx.array(drafts.map(field) as never[], type);
  const columns = [
    column((d) => d.key, TEXT),
    column((d) => d.subject, TEXT),
    column((d) => d.invariant, TEXT),
    column((d) => d.entity, TEXT),
    column((d) => d.severity, TEXT),
    column((d) => d.flapping, BOOL),
    column((d) => d.silenced === true, BOOL),
    column((d) => d.message, TEXT),
    column((d) => d.firstSeenAt, INT8),
    column((d) => d.lastSeenAt, INT8),
    column((d) => d.occurrenceCount, INT4),
    column((d) => d.batchKey, TEXT),
    column((_, n) => valuesJson[n], TEXT),
    column((d) => (d.runbook ? JSON.stringify(d.runbook) : null), TEXT),
    column((d) => d.createdAt, INT8),
  ];
  const shared = sharedOpeningEvent(drafts);
  let inserted: InsertedTicket[];
  try {
    inserted = shared
      ? await tx.unsafe<InsertedTicket[]>(INSERT_TICKETS_AND_EVENT, [
          ...columns,
          shared.at,
          shared.actor,
          shared.kind,
          shared.from ?? null,
          shared.to ?? null,
          shared.comment ?? null,
        ])
      : await tx.unsafe<InsertedTicket[]>(INSERT_TICKETS, columns);
  } catch (error) {
    const e = error as { code?: unknown; constraint_name?: unknown; detail?: unknown };
    if (e.code !== "23505" || e.constraint_name !== "tickets_one_unresolved_per_key") throw error;
    const key = /\(key\)=\((.*)\)/.exec(String(e.detail ?? ""))?.[1] ?? "a key";
    throw new PostgresDuplicateOpenTicketError(target, key, { cause: error });
  }
  const byKey = new Map(inserted.map((r) => [r.key, r]));
  const events: EventInsert[] = [];
  const opened = plan.open.map((draft, n) => {
    const { id, previous_ticket_id: previous } = byKey.get(draft.key) as InsertedTicket;
    if (!shared) for (const event of draft.events) events.push({ ticketId: id, event });
    const lastValuesJson = valuesJson[n] as string;
    const ticket = ticketFromDraft(draft, id, previous, storedValues(draft.values, lastValuesJson));
    return { ticket, lastValuesJson };
  });
  await insertEvents(tx, events);
  return opened;
}

/** The version the triggers of migration `0005_snapshot_version` move on every write a snapshot reads. */
async function snapshotVersion(tx: TransactionSql): Promise<string> {
  const [row] = await tx<{ version: string }[]>`SELECT version::text AS version FROM snapshot_version`;
  if (row === undefined) throw new Error("snapshot_version has no row");
  return row.version;
}

/** The key states, unresolved tickets and identities of `subjects`, pipelined in one round trip. */
async function readSnapshot(tx: TransactionSql, subjects: readonly string[]): Promise<SnapshotRows> {
  const names = JSON.stringify(subjects);
  const [stateRows, ticketRows, identityRows] = await Promise.all([
    tx.unsafe<KeyStateRow[]>(
      "SELECT * FROM key_states WHERE subject IN (SELECT json_array_elements_text($1::json))",
      [names],
    ),
    tx.unsafe<TicketRow[]>(
      "SELECT * FROM tickets WHERE status <> 'resolved' AND subject IN (SELECT json_array_elements_text($1::json))",
      [names],
    ),
    tx.unsafe<IdentityRow[]>(
      "SELECT * FROM subject_identities WHERE subject IN (SELECT json_array_elements_text($1::json))",
      [names],
    ),
  ]);
  return {
    states: stateRows.map(keyStateFromRow),
    identities: identityRows.map(identityFromRow),
    tickets: ticketRows.map((row) => ({ ticket: ticketFromRow(row), lastValuesJson: row.last_values })),
  };
}

async function writeLog(tx: TransactionSql, ctx: CycleContext, plan: CyclePlan, now: number): Promise<void> {
  const log = plan.log;
  const insert = tx`
    INSERT INTO cycle_log (id, started_at, finished_at, invariants, violations, unknown, opened, resolved,
      failures)
    VALUES (${log.id}, ${log.startedAt}, ${log.finishedAt}, ${log.invariants}, ${log.violations},
      ${log.unknown}, ${log.opened}, ${log.resolved}, ${JSON.stringify(log.failures)})`;
  const byCount = tx`
    DELETE FROM cycle_log WHERE seq <= (
      SELECT seq FROM cycle_log ORDER BY seq DESC OFFSET ${ctx.retention.maxRows} LIMIT 1)`;
  const byAge = tx`DELETE FROM cycle_log WHERE started_at < ${now - ctx.retention.maxAgeMs}`;
  await Promise.all([insert, byCount, byAge]);
}
