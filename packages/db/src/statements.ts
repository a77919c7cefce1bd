import type BetterSqlite3 from "better-sqlite3";
import { TicketPatcher } from "./patch-sql.ts";
import type { CycleLogRow, IdentityRow, KeyStateRow, TicketRow } from "./rows.ts";
import type { SilenceRow } from "./silences.ts";

/**
 * Unresolved tickets of some subjects. Keys are `subject/invariant/entity`, so a subject's keys are
 * the range [`subject/`, `subject0`) (`0` follows `/`); the range query runs on the partial unique
 * index, which holds only unresolved tickets, however many resolved ones the table has.
 */
const OPEN_TICKETS_OF_SUBJECTS = `
  SELECT t.* FROM json_each(?) AS s
  JOIN tickets_current AS t ON t.key >= s.value || '/' AND t.key < s.value || '0' AND t.status <> 'resolved'`;

/**
 * The statements the store runs, prepared once per connection. A cycle runs most of them once per row
 * it writes: measured on SQLite 3.53, plain prepared statements beat set-based `json_each` updates
 * that pick each column out of JSON about threefold. The exception is the plain recurrence, which
 * needs one value per row and is written set-based into the narrow `ticket_sightings` (see
 * `RecurrenceBatch`). Full ticket rows are read from the `tickets_current` view.
 */
export function prepareStatements(db: BetterSqlite3.Database): Statements {
  const stmt = <Row = unknown>(sql: string): Stmt<Row> => db.prepare<unknown[], Row>(sql);
  return {
    dataVersion: stmt<number>("PRAGMA data_version").pluck(),
    statesOfSubjects: stmt<KeyStateRow>(
      "SELECT * FROM key_states WHERE subject IN (SELECT value FROM json_each(?))",
    ),
    openTicketsOfSubjects: stmt<TicketRow>(OPEN_TICKETS_OF_SUBJECTS),
    silencesNotEnded: stmt<SilenceRow>(
      "SELECT * FROM silences WHERE ends_at > ? AND (expired_at IS NULL OR expired_at > ?) ORDER BY id",
    ),
    identitiesOfSubjects: stmt<IdentityRow>(
      "SELECT * FROM subject_identities WHERE subject IN (SELECT value FROM json_each(?))",
    ),
    upsertIdentity: stmt(`
      INSERT INTO subject_identities (subject, identity, pending, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (subject) DO UPDATE SET identity = excluded.identity, pending = excluded.pending,
        updated_at = excluded.updated_at`),
    ticketById: stmt<TicketRow>("SELECT * FROM tickets_current WHERE id = ?"),
    latestTicketIds: stmt<{ key: string; id: number }>(
      "SELECT key, max(id) AS id FROM tickets WHERE key IN (SELECT value FROM json_each(?)) GROUP BY key",
    ),
    deleteState: stmt("DELETE FROM key_states WHERE key = ?"),
    upsertState: stmt(`
      INSERT INTO key_states (key, subject, invariant, entity, pending_since, clear_since, history, onsets,
        flapping, failures, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET subject = excluded.subject, invariant = excluded.invariant,
        entity = excluded.entity, pending_since = excluded.pending_since, clear_since = excluded.clear_since,
        history = excluded.history, onsets = excluded.onsets, flapping = excluded.flapping,
        failures = excluded.failures, updated_at = excluded.updated_at`),
    insertTicket: stmt(`
      INSERT INTO tickets (key, subject, invariant, entity, severity, status, held, flapping, silenced,
        message, first_seen_at, last_seen_at, occurrence_count, batch_key, previous_ticket_id, first_values,
        last_values, runbook, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, 'open', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertEvent: stmt(`
      INSERT INTO ticket_events (ticket_id, at, actor, kind, from_value, to_value, comment)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    insertSameEvent: stmt(`
      INSERT INTO ticket_events (ticket_id, at, actor, kind, from_value, to_value, comment)
      SELECT value, ?, ?, ?, ?, ?, ? FROM json_each(?) ORDER BY key`),
    patcher: new TicketPatcher(db),
    bumpRecurrences: stmt(`
      INSERT INTO ticket_sightings (ticket_id, last_seen_at, updated_at, occurrence_count)
      SELECT value ->> 0, ?, ?, value ->> 1 FROM json_each(?) WHERE true
      ON CONFLICT (ticket_id) DO UPDATE SET last_seen_at = excluded.last_seen_at,
        updated_at = excluded.updated_at, occurrence_count = excluded.occurrence_count`),
    insertCycleLog: stmt(`
      INSERT INTO cycle_log (id, started_at, finished_at, invariants, violations, unknown, opened, resolved,
        failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    pruneCycleLogRows: stmt("DELETE FROM cycle_log WHERE seq <= ?"),
    pruneCycleLogAge: stmt("DELETE FROM cycle_log WHERE started_at < ?"),
    recentCycles: stmt<CycleLogRow>("SELECT * FROM cycle_log ORDER BY seq DESC LIMIT ?"),
    openCounts: stmt<{ severity: string; count: number }>(
      "SELECT severity, count(*) AS count FROM tickets WHERE status <> 'resolved' GROUP BY severity",
    ),
    unresolvedTickets: stmt<TicketRow>(
      "SELECT * FROM tickets_current WHERE status <> 'resolved' ORDER BY id",
    ),
    allStates: stmt<KeyStateRow>("SELECT * FROM key_states ORDER BY key"),
  };
}

/** The prepared statements of one connection. */
export interface Statements {
  readonly dataVersion: Stmt<number>;
  readonly statesOfSubjects: Stmt<KeyStateRow>;
  readonly openTicketsOfSubjects: Stmt<TicketRow>;
  readonly identitiesOfSubjects: Stmt<IdentityRow>;
  readonly upsertIdentity: Stmt<unknown>;
  readonly ticketById: Stmt<TicketRow>;
  readonly latestTicketIds: Stmt<{ key: string; id: number }>;
  readonly deleteState: Stmt<unknown>;
  readonly upsertState: Stmt<unknown>;
  readonly insertTicket: Stmt<unknown>;
  readonly insertEvent: Stmt<unknown>;
  readonly insertSameEvent: Stmt<unknown>;
  readonly patcher: TicketPatcher;
  readonly bumpRecurrences: Stmt<unknown>;
  readonly insertCycleLog: Stmt<unknown>;
  readonly pruneCycleLogRows: Stmt<unknown>;
  readonly pruneCycleLogAge: Stmt<unknown>;
  readonly recentCycles: Stmt<CycleLogRow>;
  readonly openCounts: Stmt<{ severity: string; count: number }>;
  readonly unresolvedTickets: Stmt<TicketRow>;
  readonly allStates: Stmt<KeyStateRow>;
  /** Silences not ended by a time, oldest first (a cycle's snapshot). */
  readonly silencesNotEnded: Stmt<SilenceRow>;
}

type Stmt<Row> = BetterSqlite3.Statement<unknown[], Row>;
