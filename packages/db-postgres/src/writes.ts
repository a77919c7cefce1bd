import type { EventDraft, KeyState, SubjectIdentity } from "@operator/core";
import type { TransactionSql } from "postgres";
import { LOCK_CLASS, WRITE_LOCK } from "./locks.ts";
import { type TicketRow, ticketFromRow } from "./rows.ts";

/** The columns of `tickets` a set-based update writes (all but the key's and the creation's). */
const UPDATE_TICKETS = `
  UPDATE tickets AS t SET severity = x.severity, status = x.status, held = x.held, flapping = x.flapping,
    silenced = x.silenced, message = x.message, first_seen_at = x.first_seen_at,
    last_seen_at = x.last_seen_at, occurrence_count = x.occurrence_count, batch_key = x.batch_key,
    previous_ticket_id = x.previous_ticket_id, first_values = x.first_values, last_values = x.last_values,
    runbook = x.runbook, diagnosis = x.diagnosis, acknowledged_at = x.acknowledged_at,
    acknowledged_by = x.acknowledged_by, resolved_at = x.resolved_at, resolved_by = x.resolved_by,
    updated_at = x.updated_at
  FROM json_to_recordset($1::json) AS x(id bigint, severity text, status text, held boolean,
    flapping boolean, silenced boolean, message text, first_seen_at bigint, last_seen_at bigint,
    occurrence_count integer, batch_key text, previous_ticket_id bigint, first_values text,
    last_values text, runbook text, diagnosis text, acknowledged_at bigint, acknowledged_by text,
    resolved_at bigint, resolved_by text, updated_at bigint)
  WHERE t.id = x.id`;

const INSERT_EVENTS = `
  INSERT INTO ticket_events (ticket_id, at, actor, kind, from_value, to_value, comment)
  SELECT ticket_id, at, actor, kind, from_value, to_value, comment
  FROM json_to_recordset($1::json) AS x(n integer, ticket_id bigint, at bigint, actor text, kind text,
    from_value text, to_value text, comment text)
  ORDER BY n`;

const UPSERT_STATES = `
  INSERT INTO key_states (key, subject, invariant, entity, pending_since, clear_since, history, onsets,
    flapping, failures, updated_at)
  SELECT key, subject, invariant, entity, pending_since, clear_since, history, onsets, flapping, failures,
    updated_at
  FROM json_to_recordset($1::json) AS x(key text, subject text, invariant text, entity text,
    pending_since bigint, clear_since bigint, history text, onsets text, flapping boolean, failures integer,
    updated_at bigint)
  ON CONFLICT (key) DO UPDATE SET subject = excluded.subject, invariant = excluded.invariant,
    entity = excluded.entity, pending_since = excluded.pending_since, clear_since = excluded.clear_since,
    history = excluded.history, onsets = excluded.onsets, flapping = excluded.flapping,
    failures = excluded.failures, updated_at = excluded.updated_at`;

const UPSERT_IDENTITIES = `
  INSERT INTO subject_identities (subject, identity, pending, updated_at)
  SELECT subject, identity, pending, updated_at
  FROM json_to_recordset($1::json) AS x(subject text, identity text, pending text, updated_at bigint)
  ON CONFLICT (subject) DO UPDATE SET identity = excluded.identity, pending = excluded.pending,
    updated_at = excluded.updated_at`;

/** Takes the store's write lock (see `WRITE_LOCK`); held until the transaction ends. */
export async function lockWrites(tx: TransactionSql): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${WRITE_LOCK})`;
}

/** Writes every column a change may move, for each ticket record (from `ticketRecord`), in one statement. */
export async function updateTickets(
  tx: TransactionSql,
  records: readonly Record<string, unknown>[],
): Promise<void> {
  if (records.length > 0) await tx.unsafe(UPDATE_TICKETS, [JSON.stringify(records)]);
}

/** An event to append, with its ticket. */
export interface EventInsert {
  readonly ticketId: number;
  readonly event: EventDraft;
}

/** Appends events in the given order (ids increase in that order), in one statement. */
export async function insertEvents(tx: TransactionSql, events: readonly EventInsert[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(({ ticketId, event: e }, n) => ({
    n,
    ticket_id: ticketId,
    at: e.at,
    actor: e.actor,
    kind: e.kind,
    from_value: e.from ?? null,
    to_value: e.to ?? null,
    comment: e.comment ?? null,
  }));
  await tx.unsafe(INSERT_EVENTS, [JSON.stringify(rows)]);
}

/** Drops the key states of `keys`. */
export async function deleteStates(tx: TransactionSql, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.unsafe("DELETE FROM key_states WHERE key IN (SELECT json_array_elements_text($1::json))", [
    JSON.stringify(keys),
  ]);
}

/** Inserts or replaces key states (the last one wins when a key comes twice). */
export async function upsertStates(tx: TransactionSql, states: readonly KeyState[]): Promise<void> {
  if (states.length === 0) return;
  const byKey = new Map(states.map((s) => [s.key, s]));
  const rows = [...byKey.values()].map((s) => ({
    key: s.key,
    subject: s.subject,
    invariant: s.invariant,
    entity: s.entity,
    pending_since: s.pendingSince,
    clear_since: s.clearSince,
    history: s.history,
    onsets: JSON.stringify(s.onsets),
    flapping: s.flapping,
    failures: s.failures,
    updated_at: s.updatedAt,
  }));
  await tx.unsafe(UPSERT_STATES, [JSON.stringify(rows)]);
}

/** Inserts or replaces subject identities (the last one wins per subject). */
export async function upsertIdentities(
  tx: TransactionSql,
  identities: readonly SubjectIdentity[],
): Promise<void> {
  if (identities.length === 0) return;
  const bySubject = new Map(identities.map((i) => [i.subject, i]));
  const rows = [...bySubject.values()].map((i) => ({
    subject: i.subject,
    identity: i.identity,
    pending: i.pending,
    updated_at: i.updatedAt,
  }));
  await tx.unsafe(UPSERT_IDENTITIES, [JSON.stringify(rows)]);
}

/** One ticket by id, or undefined. */
export async function ticketById(tx: TransactionSql, id: number) {
  const [row] = await tx<TicketRow[]>`SELECT * FROM tickets WHERE id = ${id}`;
  return row === undefined ? undefined : ticketFromRow(row);
}
