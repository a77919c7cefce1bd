import type {
  CycleLogEntry,
  KeyState,
  Runbook,
  Severity,
  SubjectIdentity,
  Ticket,
  TicketEvent,
  TicketPatch,
  TicketStatus,
  Values,
} from "@operator/core";

/** A `tickets` row as SQLite returns it to a raw prepared statement. */
export interface TicketRow {
  id: number;
  key: string;
  subject: string;
  invariant: string;
  entity: string;
  severity: string;
  status: string;
  held: number;
  flapping: number;
  silenced: number;
  message: string;
  first_seen_at: number;
  last_seen_at: number;
  occurrence_count: number;
  batch_key: string;
  previous_ticket_id: number | null;
  first_values: string;
  last_values: string;
  runbook: string | null;
  diagnosis: string | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  created_at: number;
  updated_at: number;
}

/** A `ticket_events` row as SQLite returns it. */
export interface EventRow {
  id: number;
  ticket_id: number;
  at: number;
  actor: string;
  kind: string;
  from_value: string | null;
  to_value: string | null;
  comment: string | null;
}

/** A `subject_identities` row as SQLite returns it. */
export interface IdentityRow {
  subject: string;
  identity: string;
  pending: string | null;
  updated_at: number;
}

/** A subject's identity from its row. */
export function identityFromRow(row: IdentityRow): SubjectIdentity {
  return { subject: row.subject, identity: row.identity, pending: row.pending, updatedAt: row.updated_at };
}

/** A `key_states` row as SQLite returns it. */
export interface KeyStateRow {
  key: string;
  subject: string;
  invariant: string;
  entity: string;
  pending_since: number | null;
  clear_since: number | null;
  history: string;
  onsets: string;
  flapping: number;
  failures: number;
  updated_at: number;
}

/** A `cycle_log` row as SQLite returns it. */
export interface CycleLogRow {
  id: string;
  started_at: number;
  finished_at: number;
  invariants: number;
  violations: number;
  unknown: number;
  opened: number;
  resolved: number;
  failures: string;
}

/** The ticket a row stores. */
export function ticketFromRow(row: TicketRow): Ticket {
  return {
    id: row.id,
    key: row.key,
    subject: row.subject,
    invariant: row.invariant,
    entity: row.entity,
    severity: row.severity as Severity,
    status: row.status as TicketStatus,
    held: row.held !== 0,
    flapping: row.flapping !== 0,
    silenced: row.silenced !== 0,
    message: row.message,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    occurrenceCount: row.occurrence_count,
    batchKey: row.batch_key,
    previousTicketId: row.previous_ticket_id,
    firstValues: JSON.parse(row.first_values) as Values,
    lastValues: JSON.parse(row.last_values) as Values,
    runbook: row.runbook === null ? null : (JSON.parse(row.runbook) as Runbook),
    diagnosis: row.diagnosis,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The event a row stores. */
export function eventFromRow(row: EventRow): TicketEvent {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    at: row.at,
    actor: row.actor,
    kind: row.kind as TicketEvent["kind"],
    from: row.from_value,
    to: row.to_value,
    comment: row.comment,
  };
}

/** The key state a row stores. */
export function keyStateFromRow(row: KeyStateRow): KeyState {
  return {
    key: row.key,
    subject: row.subject,
    invariant: row.invariant,
    entity: row.entity,
    pendingSince: row.pending_since,
    clearSince: row.clear_since,
    history: row.history,
    onsets: row.onsets === "[]" ? [] : (JSON.parse(row.onsets) as number[]),
    flapping: row.flapping !== 0,
    failures: row.failures,
    updatedAt: row.updated_at,
  };
}

/** The cycle log entry a row stores. */
export function cycleLogFromRow(row: CycleLogRow): CycleLogEntry {
  return {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    invariants: row.invariants,
    violations: row.violations,
    unknown: row.unknown,
    opened: row.opened,
    resolved: row.resolved,
    failures: JSON.parse(row.failures) as Record<string, string>,
  };
}

/** `before` with `patch` applied (a field set to `undefined` in the patch is left as it was). */
export function mergeTicket(before: Ticket, patch: TicketPatch): Ticket {
  return {
    id: before.id,
    key: before.key,
    subject: before.subject,
    invariant: before.invariant,
    entity: before.entity,
    severity: patch.severity ?? before.severity,
    status: patch.status ?? before.status,
    held: patch.held ?? before.held,
    flapping: patch.flapping ?? before.flapping,
    silenced: patch.silenced ?? before.silenced,
    message: patch.message ?? before.message,
    firstSeenAt: patch.firstSeenAt ?? before.firstSeenAt,
    lastSeenAt: patch.lastSeenAt ?? before.lastSeenAt,
    occurrenceCount: patch.occurrenceCount ?? before.occurrenceCount,
    batchKey: patch.batchKey ?? before.batchKey,
    previousTicketId: patch.previousTicketId === undefined ? before.previousTicketId : patch.previousTicketId,
    firstValues: patch.firstValues ?? before.firstValues,
    lastValues: patch.lastValues ?? before.lastValues,
    runbook: patch.runbook === undefined ? before.runbook : patch.runbook,
    diagnosis: patch.diagnosis === undefined ? before.diagnosis : patch.diagnosis,
    acknowledgedAt: patch.acknowledgedAt === undefined ? before.acknowledgedAt : patch.acknowledgedAt,
    acknowledgedBy: patch.acknowledgedBy === undefined ? before.acknowledgedBy : patch.acknowledgedBy,
    resolvedAt: patch.resolvedAt === undefined ? before.resolvedAt : patch.resolvedAt,
    resolvedBy: patch.resolvedBy === undefined ? before.resolvedBy : patch.resolvedBy,
    createdAt: before.createdAt,
    updatedAt: patch.updatedAt ?? before.updatedAt,
  };
}
