import {
  type AttemptOutcome,
  acceptsEvent,
  type ChannelStatus,
  type NotificationFilter,
  type PendingNotification,
  type Ticket,
  type TicketEventKind,
} from "@operator/core";
import type BetterSqlite3 from "better-sqlite3";
import { type TicketRow, ticketFromRow } from "./rows.ts";

/** History events taken into a channel's outbox per read, at most (the rest on the next read). */
const SCAN_BATCH = 2_000;
const SCAN_BATCHES_PER_READ = 10;

/** The parameters of the due query: `scope` is a JSON array of subjects, or null for all. */
interface DueParams {
  channel: string;
  now: number;
  scope: string | null;
  limit: number;
}

interface ScannedEvent {
  id: number;
  kind: TicketEventKind;
  at: number;
  key: string;
  severity: Ticket["severity"];
  subject: string;
  invariant: string;
}

interface DueRow extends TicketRow {
  attempts: number;
  e_id: number;
  e_ticket_id: number;
  e_at: number;
  e_actor: string;
  e_kind: TicketEventKind;
  e_from: string | null;
  e_to: string | null;
  e_comment: string | null;
}

/**
 * The due heads of a channel: pending rows whose time has come and no earlier event of whose key is
 * pending. Walking the pending rows in event order (a partial index) stops after `limit` heads, so a
 * read costs about the same with a backlog of ten events or of a hundred thousand.
 */
export const DUE_HEADS = `
  SELECT d.attempts, e.id AS e_id, e.ticket_id AS e_ticket_id, e.at AS e_at, e.actor AS e_actor,
    e.kind AS e_kind, e.from_value AS e_from, e.to_value AS e_to, e.comment AS e_comment, t.*
  FROM notification_deliveries d INDEXED BY notification_deliveries_pending_order
  JOIN ticket_events e ON e.id = d.event_id
  JOIN tickets_current t ON t.id = e.ticket_id
  WHERE d.channel = @channel AND d.state = 'pending' AND d.next_attempt_at <= @now
    AND NOT EXISTS (SELECT 1 FROM notification_deliveries p
      WHERE p.channel = @channel AND p.key = d.key AND p.state = 'pending' AND p.event_id < d.event_id)
    AND (@scope IS NULL OR t.subject IN (SELECT value FROM json_each(@scope)))
  ORDER BY d.event_id LIMIT @limit`;

/** One attempt's answer, as `NotificationStore.recordAttempt` takes it. */
export interface RecordedAttempt {
  readonly channel: string;
  readonly eventId: number;
  readonly result: AttemptOutcome;
  readonly now: number;
}

interface StatusRow {
  channel: string;
  cursor: number;
  last_success_at: number | null;
  last_error_at: number | null;
  last_error: string | null;
  pending: number;
  unexamined: number;
  oldest: number | null;
  failed: number;
}

/**
 * The SQLite side of core's `NotificationStore`: the outbox is the ticket history; per channel a
 * cursor row (`notification_channels`) and one row per accepted event (`notification_deliveries`).
 * Each method is one statement or one transaction; the store wraps them with its retries.
 */
export class Outbox {
  readonly #db: BetterSqlite3.Database;
  readonly #s;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#s = {
      open: db.prepare(`
        INSERT INTO notification_channels (channel, cursor, created_at)
        VALUES (?, (SELECT coalesce(max(id), 0) FROM ticket_events), ?)
        ON CONFLICT (channel) DO NOTHING`),
      cursor: db
        .prepare<[string], number>("SELECT cursor FROM notification_channels WHERE channel = ?")
        .pluck(),
      scan: db.prepare<[number, number], ScannedEvent>(`
        SELECT e.id, e.kind, e.at, t.key, t.severity, t.subject, t.invariant
        FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
        WHERE e.id > ? ORDER BY e.id LIMIT ?`),
      enqueue: db.prepare(`
        INSERT INTO notification_deliveries (channel, event_id, key, event_at) VALUES (?, ?, ?, ?)
        ON CONFLICT DO NOTHING`),
      advance: db.prepare("UPDATE notification_channels SET cursor = ? WHERE channel = ?"),
      due: db.prepare<[DueParams], DueRow>(DUE_HEADS),
      settle: db.prepare(`
        UPDATE notification_deliveries
        SET attempts = attempts + 1, state = ?, next_attempt_at = ?, last_error = ?, delivered_at = ?
        WHERE channel = ? AND event_id = ? AND state = 'pending'`),
      success: db.prepare("UPDATE notification_channels SET last_success_at = ? WHERE channel = ?"),
      error: db.prepare(
        "UPDATE notification_channels SET last_error_at = ?, last_error = ? WHERE channel = ?",
      ),
      status: db.prepare<[], StatusRow>(`
        SELECT c.channel, c.cursor, c.last_success_at, c.last_error_at, c.last_error,
          (SELECT count(*) FROM notification_deliveries d
             WHERE d.channel = c.channel AND d.state = 'pending') AS pending,
          (SELECT count(*) FROM ticket_events e WHERE e.id > c.cursor) AS unexamined,
          (SELECT min(event_at) FROM notification_deliveries d
             WHERE d.channel = c.channel AND d.state = 'pending') AS oldest,
          (SELECT count(*) FROM notification_deliveries d
             WHERE d.channel = c.channel AND d.state = 'failed') AS failed
        FROM notification_channels c ORDER BY c.channel`),
      unresolved: db.prepare<[], TicketRow>(
        "SELECT * FROM tickets_current WHERE status <> 'resolved' ORDER BY id",
      ),
    };
  }

  openChannel(channel: string, now: number): void {
    this.#s.open.run(channel, now);
  }

  /**
   * Takes new history events into the channel's outbox, then reads what is due (of `subjects` only,
   * when given), in one transaction.
   */
  next(
    channel: string,
    filter: NotificationFilter | undefined,
    now: number,
    limit: number,
    subjects: readonly string[] | undefined,
  ): PendingNotification[] {
    return this.#db
      .transaction(() => {
        let cursor = this.#s.cursor.get(channel);
        if (cursor === undefined) throw new Error(`Notification channel ${channel} is not open`);
        for (let batch = 0; batch < SCAN_BATCHES_PER_READ; batch++) {
          const events = this.#s.scan.all(cursor, SCAN_BATCH);
          for (const event of events) {
            if (acceptsEvent(filter, event, event))
              this.#s.enqueue.run(channel, event.id, event.key, event.at);
          }
          const last = events.at(-1);
          if (last === undefined) break;
          cursor = last.id;
          this.#s.advance.run(cursor, channel);
          if (events.length < SCAN_BATCH) break;
        }
        const scope = subjects === undefined ? null : JSON.stringify(subjects);
        return this.#s.due.all({ channel, now, scope, limit }).map(
          (row): PendingNotification => ({
            channel,
            attempts: row.attempts,
            event: {
              id: row.e_id,
              ticketId: row.e_ticket_id,
              at: row.e_at,
              actor: row.e_actor,
              kind: row.e_kind,
              from: row.e_from,
              to: row.e_to,
              comment: row.e_comment,
            },
            ticket: ticketFromRow(row),
          }),
        );
      })
      .immediate();
  }

  /** Records attempts in one transaction, in order, each as its own `recordAttempt` would. */
  record(attempts: readonly RecordedAttempt[]): void {
    this.#db
      .transaction(() => {
        for (const { channel, eventId, result, now } of attempts) {
          const state = result.outcome === "retry" ? "pending" : result.outcome;
          const next = result.outcome === "retry" ? result.nextAttemptAt : 0;
          const reason = result.outcome === "delivered" ? null : result.reason;
          const deliveredAt = result.outcome === "delivered" ? now : null;
          const changed = this.#s.settle.run(state, next, reason, deliveredAt, channel, eventId).changes;
          if (changed === 0) continue;
          if (result.outcome === "delivered") this.#s.success.run(now, channel);
          else if (result.outcome !== "withheld") this.#s.error.run(now, reason, channel);
        }
      })
      .immediate();
  }

  status(): ChannelStatus[] {
    return this.#s.status.all().map((row) => ({
      channel: row.channel,
      cursor: row.cursor,
      pending: row.pending,
      unexamined: row.unexamined,
      oldestPendingAt: row.oldest,
      lastSuccessAt: row.last_success_at,
      lastErrorAt: row.last_error_at,
      lastError: row.last_error,
      failed: row.failed,
    }));
  }

  unresolvedTickets(): Ticket[] {
    return this.#s.unresolved.all().map(ticketFromRow);
  }
}
