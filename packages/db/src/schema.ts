/**
 * `@operator/db/schema`: the Drizzle schema of the ticket database, for read-only tooling (and for
 * drizzle-kit, which writes the migrations from it). Read tickets through {@link ticketsCurrent}: a
 * ticket's latest recurrence may be held in {@link ticketSightings} rather than in its row.
 */
import type { Actor, Runbook, Severity, TicketEventKind, TicketStatus, Values } from "@operator/core";
import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  sqliteView,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/**
 * The columns of a ticket, for the table and for {@link ticketsCurrent}. Property names match core's
 * `Ticket`, so a selected row is a ticket. Times are integer epoch milliseconds, flags integers, value
 * snapshots JSON text.
 */
function ticketColumns() {
  return {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    subject: text("subject").notNull(),
    invariant: text("invariant").notNull(),
    entity: text("entity").notNull(),
    severity: text("severity").$type<Severity>().notNull(),
    status: text("status").$type<TicketStatus>().notNull(),
    held: integer("held", { mode: "boolean" }).notNull().default(false),
    flapping: integer("flapping", { mode: "boolean" }).notNull().default(false),
    /** A silence covers the ticket: notifications are withheld. */
    silenced: integer("silenced", { mode: "boolean" }).notNull().default(false),
    message: text("message").notNull(),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    occurrenceCount: integer("occurrence_count").notNull().default(1),
    batchKey: text("batch_key").notNull(),
    previousTicketId: integer("previous_ticket_id").references((): AnySQLiteColumn => tickets.id),
    firstValues: text("first_values", { mode: "json" }).$type<Values>().notNull(),
    lastValues: text("last_values", { mode: "json" }).$type<Values>().notNull(),
    /** The invariant's runbook hint as JSON `{"hint", "url"?}`, refreshed on each occurrence; null without one. */
    runbook: text("runbook", { mode: "json" }).$type<Runbook>(),
    diagnosis: text("diagnosis"),
    acknowledgedAt: integer("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by").$type<Actor>(),
    resolvedAt: integer("resolved_at"),
    resolvedBy: text("resolved_by").$type<Actor>(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  };
}

/**
 * One problem, as people see it. A recurrence's three moving fields (`lastSeenAt`,
 * `occurrenceCount`, `updatedAt`) may be newer in {@link ticketSightings}; read tickets through
 * {@link ticketsCurrent}.
 */
export const tickets = sqliteTable("tickets", ticketColumns(), (t) => [
  /** The dedup guarantee: SQLite itself refuses a second unresolved ticket for a key. */
  uniqueIndex("tickets_one_unresolved_per_key").on(t.key).where(sql`status <> 'resolved'`),
  index("tickets_key_id").on(t.key, t.id),
  index("tickets_status_id").on(t.status, t.id),
  // Written as OR chains: SQLite checks `x IN (list)` against a temporary table built for each row
  // inserted, which made these two checks a fifth of the cost of opening a ticket.
  check(
    "tickets_status_valid",
    sql`status = 'open' OR status = 'acknowledged' OR status = 'diagnosed' OR status = 'resolved'`,
  ),
  check("tickets_severity_valid", sql`severity = 'critical' OR severity = 'warning' OR severity = 'info'`),
  check("tickets_resolved_has_time", sql`(status = 'resolved') = (resolved_at IS NOT NULL)`),
]);

/**
 * The latest plain recurrence of a ticket (a cycle that saw it again and changed nothing else): its
 * three moving fields, written here instead of into the wide ticket row, so that a steady cycle
 * rewrites a few small pages rather than every open ticket's row. A row here is newer than the
 * ticket's own columns; any other update of the ticket folds it back first (`TicketPatcher`), and
 * a trigger refuses an update of those columns while a row is here.
 */
export const ticketSightings = sqliteTable("ticket_sightings", {
  ticketId: integer("ticket_id")
    .primaryKey()
    .references(() => tickets.id),
  lastSeenAt: integer("last_seen_at").notNull(),
  occurrenceCount: integer("occurrence_count").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Tickets as they are now: the ticket row with its sighting, if any, applied (migration 0008). */
export const ticketsCurrent = sqliteView("tickets_current", ticketColumns()).existing();

/** Append-only history of every change to a ticket (update and delete are refused by triggers). */
export const ticketEvents = sqliteTable(
  "ticket_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ticketId: integer("ticket_id")
      .notNull()
      .references(() => tickets.id),
    at: integer("at").notNull(),
    actor: text("actor").$type<Actor>().notNull(),
    kind: text("kind").$type<TicketEventKind>().notNull(),
    from: text("from_value"),
    to: text("to_value"),
    comment: text("comment"),
  },
  (t) => [index("ticket_events_ticket_id").on(t.ticketId, t.id)],
);

/** What the monitor remembers per violation key between cycles (core's `KeyState`). */
export const keyStates = sqliteTable(
  "key_states",
  {
    key: text("key").primaryKey(),
    subject: text("subject").notNull(),
    invariant: text("invariant").notNull(),
    entity: text("entity").notNull(),
    pendingSince: integer("pending_since"),
    clearSince: integer("clear_since"),
    history: text("history").notNull().default(""),
    onsets: text("onsets", { mode: "json" }).$type<readonly number[]>().notNull().default(sql`'[]'`),
    flapping: integer("flapping", { mode: "boolean" }).notNull().default(false),
    failures: integer("failures").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("key_states_subject").on(t.subject)],
);

/** One row per cycle, pruned by the store's retention settings. */
export const cycleLog = sqliteTable(
  "cycle_log",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at").notNull(),
    invariants: integer("invariants").notNull(),
    violations: integer("violations").notNull(),
    unknown: integer("unknown").notNull(),
    opened: integer("opened").notNull(),
    resolved: integer("resolved").notNull(),
    failures: text("failures", { mode: "json" }).$type<Readonly<Record<string, string>>>().notNull(),
  },
  (t) => [index("cycle_log_started_at").on(t.startedAt)],
);

/** The identity each subject was last trusted with (core's `SubjectIdentity`), and one awaiting acceptance. */
export const subjectIdentities = sqliteTable("subject_identities", {
  subject: text("subject").primaryKey(),
  identity: text("identity").notNull(),
  pending: text("pending"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * One row per notification channel the dispatcher has seen: `cursor` is the event id up to which the
 * channel has taken every event into its outbox (a new channel starts at the end of the history).
 */
export const notificationChannels = sqliteTable("notification_channels", {
  channel: text("channel").primaryKey(),
  cursor: integer("cursor").notNull(),
  createdAt: integer("created_at").notNull(),
  lastSuccessAt: integer("last_success_at"),
  lastErrorAt: integer("last_error_at"),
  lastError: text("last_error"),
});

/** Delivery state of one history event to one channel (only events the channel's filter accepts). */
export const notificationDeliveries = sqliteTable(
  "notification_deliveries",
  {
    channel: text("channel")
      .notNull()
      .references(() => notificationChannels.channel),
    eventId: integer("event_id")
      .notNull()
      .references(() => ticketEvents.id),
    /** The ticket's violation key: deliveries of one key go out in event order, one at a time. */
    key: text("key").notNull(),
    eventAt: integer("event_at").notNull(),
    state: text("state")
      .$type<"pending" | "delivered" | "failed" | "withheld">()
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull().default(0),
    lastError: text("last_error"),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [
    primaryKey({ columns: [t.channel, t.eventId] }),
    index("notification_deliveries_pending").on(t.channel, t.key, t.eventId).where(sql`state = 'pending'`),
    /** Pending rows in event order: a read of the due heads walks only as far as it returns. */
    index("notification_deliveries_pending_order").on(t.channel, t.eventId).where(sql`state = 'pending'`),
    index("notification_deliveries_state").on(t.channel, t.state),
    check(
      "notification_deliveries_state_valid",
      sql`state IN ('pending', 'delivered', 'failed', 'withheld')`,
    ),
  ],
);

/**
 * Silences (maintenance windows): `matchers` is a JSON array of `{ name, value, regex }`; a silence
 * covers tickets from `starts_at` until `ends_at` or `expired_at`, whichever comes first.
 */
export const silences = sqliteTable(
  "silences",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    matchers: text("matchers").notNull(),
    startsAt: integer("starts_at").notNull(),
    endsAt: integer("ends_at").notNull(),
    createdBy: text("created_by").notNull(),
    comment: text("comment").notNull(),
    createdAt: integer("created_at").notNull(),
    expiredAt: integer("expired_at"),
    expiredBy: text("expired_by"),
  },
  (t) => [
    index("silences_ends_at").on(t.endsAt),
    check("silences_ends_after_start", sql`ends_at > starts_at`),
  ],
);
