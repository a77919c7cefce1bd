import type {
  CycleLogEntry,
  KeyState,
  Runbook,
  Severity,
  SubjectIdentity,
  Ticket,
  TicketEvent,
  TicketEventKind,
  TicketStatus,
  Values,
} from "@operator/core";

/** A `tickets` row as the driver returns it (bigint columns parsed to numbers). */
export interface TicketRow {
  id: number;
  key: string;
  subject: string;
  invariant: string;
  entity: string;
  severity: string;
  status: string;
  held: boolean;
  flapping: boolean;
  silenced: boolean;
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

/** A `ticket_events` row. */
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

/** A `key_states` row. */
export interface KeyStateRow {
  key: string;
  subject: string;
  invariant: string;
  entity: string;
  pending_since: number | null;
  clear_since: number | null;
  history: string;
  onsets: string;
  flapping: boolean;
  failures: number;
  updated_at: number;
}

/** A `subject_identities` row. */
export interface IdentityRow {
  subject: string;
  identity: string;
  pending: string | null;
  updated_at: number;
}

/** A `cycle_log` row. */
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
    held: row.held,
    flapping: row.flapping,
    silenced: row.silenced,
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
    kind: row.kind as TicketEventKind,
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
    flapping: row.flapping,
    failures: row.failures,
    updatedAt: row.updated_at,
  };
}

/** A subject's identity from its row. */
export function identityFromRow(row: IdentityRow): SubjectIdentity {
  return { subject: row.subject, identity: row.identity, pending: row.pending, updatedAt: row.updated_at };
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

/** A ticket as a JSON object with the `tickets` columns, for set-based writes through `json_to_recordset`. */
export function ticketRecord(ticket: Ticket, lastValuesJson?: string): Record<string, unknown> {
  return {
    id: ticket.id,
    severity: ticket.severity,
    status: ticket.status,
    held: ticket.held,
    flapping: ticket.flapping,
    silenced: ticket.silenced,
    message: ticket.message,
    first_seen_at: ticket.firstSeenAt,
    last_seen_at: ticket.lastSeenAt,
    occurrence_count: ticket.occurrenceCount,
    batch_key: ticket.batchKey,
    previous_ticket_id: ticket.previousTicketId,
    first_values: JSON.stringify(ticket.firstValues),
    last_values: lastValuesJson ?? JSON.stringify(ticket.lastValues),
    runbook: ticket.runbook === null ? null : JSON.stringify(ticket.runbook),
    diagnosis: ticket.diagnosis,
    acknowledged_at: ticket.acknowledgedAt,
    acknowledged_by: ticket.acknowledgedBy,
    resolved_at: ticket.resolvedAt,
    resolved_by: ticket.resolvedBy,
    updated_at: ticket.updatedAt,
  };
}
