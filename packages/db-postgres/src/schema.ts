import type { Actor, Runbook, Severity, TicketEventKind, TicketStatus, Values } from "@operator/core";
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** An epoch-millisecond time or another 64-bit count, read as a JavaScript number. */
const int8 = (name: string) => bigint(name, { mode: "number" });

/** A value snapshot: JSON in a `text` column, so it reads back byte for byte as it was written. */
const jsonText = customType<{ data: Values; driverData: string }>({
  dataType: () => "text",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => JSON.parse(value) as Values,
});

/** A runbook hint: JSON `{"hint", "url"?}` in a `text` column, as the SQLite store keeps it. */
const runbookText = customType<{ data: Runbook; driverData: string }>({
  dataType: () => "text",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => JSON.parse(value) as Runbook,
});

/**
 * One problem, as people see it; the same columns as the SQLite store. Times are `bigint` epoch
 * milliseconds; value snapshots are JSON text (kept byte for byte, never queried inside).
 */
export const tickets = pgTable(
  "tickets",
  {
    id: int8("id").primaryKey().generatedAlwaysAsIdentity(),
    key: text("key").notNull(),
    subject: text("subject").notNull(),
    invariant: text("invariant").notNull(),
    entity: text("entity").notNull(),
    severity: text("severity").$type<Severity>().notNull(),
    status: text("status").$type<TicketStatus>().notNull(),
    held: boolean("held").notNull().default(false),
    flapping: boolean("flapping").notNull().default(false),
    /** A silence covers the ticket: notifications are withheld. */
    silenced: boolean("silenced").notNull().default(false),
    message: text("message").notNull(),
    firstSeenAt: int8("first_seen_at").notNull(),
    lastSeenAt: int8("last_seen_at").notNull(),
    occurrenceCount: integer("occurrence_count").notNull().default(1),
    batchKey: text("batch_key").notNull(),
    previousTicketId: int8("previous_ticket_id").references((): AnyPgColumn => tickets.id),
    firstValues: jsonText("first_values").notNull(),
    lastValues: jsonText("last_values").notNull(),
    /** The invariant's runbook hint, refreshed on each occurrence; null without one. */
    runbook: runbookText("runbook"),
    diagnosis: text("diagnosis"),
    acknowledgedAt: int8("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by").$type<Actor>(),
    resolvedAt: int8("resolved_at"),
    resolvedBy: text("resolved_by").$type<Actor>(),
    createdAt: int8("created_at").notNull(),
    updatedAt: int8("updated_at").notNull(),
  },
  (t) => [
    /** The dedup guarantee: PostgreSQL itself refuses a second unresolved ticket for a key. */
    uniqueIndex("tickets_one_unresolved_per_key").on(t.key).where(sql`status <> 'resolved'`),
    /** A cycle's snapshot: the unresolved tickets of its subjects. */
    index("tickets_unresolved_subject").on(t.subject).where(sql`status <> 'resolved'`),
    index("tickets_key_id").on(t.key, t.id),
    index("tickets_status_id").on(t.status, t.id),
    check("tickets_status_valid", sql`status IN ('open', 'acknowledged', 'diagnosed', 'resolved')`),
    check("tickets_severity_valid", sql`severity IN ('critical', 'warning', 'info')`),
    check("tickets_resolved_has_time", sql`(status = 'resolved') = (resolved_at IS NOT NULL)`),
  ],
);

/** Append-only history of every change to a ticket (update and delete are refused by triggers). */
export const ticketEvents = pgTable(
  "ticket_events",
  {
    id: int8("id").primaryKey().generatedAlwaysAsIdentity(),
    ticketId: int8("ticket_id")
      .notNull()
      .references(() => tickets.id),
    at: int8("at").notNull(),
    actor: text("actor").$type<Actor>().notNull(),
    kind: text("kind").$type<TicketEventKind>().notNull(),
    from: text("from_value"),
    to: text("to_value"),
    comment: text("comment"),
  },
  (t) => [index("ticket_events_ticket_id").on(t.ticketId, t.id)],
);

/** What the monitor remembers per violation key between cycles (core's `KeyState`). */
export const keyStates = pgTable(
  "key_states",
  {
    key: text("key").primaryKey(),
    subject: text("subject").notNull(),
    invariant: text("invariant").notNull(),
    entity: text("entity").notNull(),
    pendingSince: int8("pending_since"),
    clearSince: int8("clear_since"),
    history: text("history").notNull().default(""),
    onsets: text("onsets").notNull().default("[]"),
    flapping: boolean("flapping").notNull().default(false),
    failures: integer("failures").notNull().default(0),
    updatedAt: int8("updated_at").notNull(),
  },
  (t) => [index("key_states_subject").on(t.subject)],
);

/** One row per cycle, pruned by the store's retention settings. */
export const cycleLog = pgTable(
  "cycle_log",
  {
    seq: int8("seq").primaryKey().generatedAlwaysAsIdentity(),
    id: text("id").notNull(),
    startedAt: int8("started_at").notNull(),
    finishedAt: int8("finished_at").notNull(),
    invariants: integer("invariants").notNull(),
    violations: integer("violations").notNull(),
    unknown: integer("unknown").notNull(),
    opened: integer("opened").notNull(),
    resolved: integer("resolved").notNull(),
    failures: text("failures").notNull(),
  },
  (t) => [index("cycle_log_started_at").on(t.startedAt)],
);

/** The identity each subject was last trusted with (core's `SubjectIdentity`), and one awaiting acceptance. */
export const subjectIdentities = pgTable("subject_identities", {
  subject: text("subject").primaryKey(),
  identity: text("identity").notNull(),
  pending: text("pending"),
  updatedAt: int8("updated_at").notNull(),
});

/** One row per notification channel: `cursor` is the event id up to which it took the history in. */
export const notificationChannels = pgTable("notification_channels", {
  channel: text("channel").primaryKey(),
  cursor: int8("cursor").notNull(),
  createdAt: int8("created_at").notNull(),
  lastSuccessAt: int8("last_success_at"),
  lastErrorAt: int8("last_error_at"),
  lastError: text("last_error"),
});

/** Delivery state of one history event to one channel (only events the channel's filter accepts). */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    channel: text("channel")
      .notNull()
      .references(() => notificationChannels.channel),
    eventId: int8("event_id")
      .notNull()
      .references(() => ticketEvents.id),
    key: text("key").notNull(),
    eventAt: int8("event_at").notNull(),
    state: text("state")
      .$type<"pending" | "delivered" | "failed" | "withheld">()
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: int8("next_attempt_at").notNull().default(0),
    lastError: text("last_error"),
    deliveredAt: int8("delivered_at"),
  },
  (t) => [
    primaryKey({ columns: [t.channel, t.eventId] }),
    index("notification_deliveries_pending").on(t.channel, t.key, t.eventId).where(sql`state = 'pending'`),
    index("notification_deliveries_state").on(t.channel, t.state),
    check(
      "notification_deliveries_state_valid",
      sql`state IN ('pending', 'delivered', 'failed', 'withheld')`,
    ),
  ],
);

/** Silences (maintenance windows): `matchers` is a JSON array of `{ name, value, regex }`. */
export const silences = pgTable(
  "silences",
  {
    id: int8("id").primaryKey().generatedAlwaysAsIdentity(),
    matchers: text("matchers").notNull(),
    startsAt: int8("starts_at").notNull(),
    endsAt: int8("ends_at").notNull(),
    createdBy: text("created_by").notNull(),
    comment: text("comment").notNull(),
    createdAt: int8("created_at").notNull(),
    expiredAt: int8("expired_at"),
    expiredBy: text("expired_by"),
  },
  (t) => [
    index("silences_ends_at").on(t.endsAt),
    check("silences_ends_after_start", sql`ends_at > starts_at`),
  ],
);

/**
 * Per-subject leases of the monitor replicas sharing the database: who runs a subject's cycles until
 * `expires_at` (epoch ms on the database's clock); `token` grows on every hand-over and fences writes.
 */
export const subjectLeases = pgTable("subject_leases", {
  subject: text("subject").primaryKey(),
  holder: text("holder").notNull(),
  token: int8("token").notNull(),
  expiresAt: int8("expires_at").notNull(),
  acquiredAt: int8("acquired_at").notNull(),
});
