import {
  type AttemptOutcome,
  acceptsEvent,
  type ChannelStatus,
  type NotificationFilter,
  type PendingNotification,
  type Ticket,
  type TicketEventKind,
} from "@operator/core";
import type { Sql } from "postgres";
import { type EventRow, eventFromRow, type TicketRow, ticketFromRow } from "./rows.ts";
import { lockWrites } from "./writes.ts";

/** History events taken into a channel's outbox per read, at most (the rest on the next read). */
const SCAN_BATCH = 2_000;
const SCAN_BATCHES_PER_READ = 10;

interface ScannedEvent {
  id: number;
  kind: TicketEventKind;
  at: number;
  key: string;
  severity: Ticket["severity"];
  subject: string;
  invariant: string;
}

/** Registers a channel at the current end of the history (nothing when it exists). */
export async function openChannel(sql: Sql, channel: string, now: number): Promise<void> {
  await sql.begin(async (tx) => {
    await lockWrites(tx);
    await tx`
      INSERT INTO notification_channels (channel, cursor, created_at)
      VALUES (${channel}, (SELECT coalesce(max(id), 0) FROM ticket_events), ${now})
      ON CONFLICT (channel) DO NOTHING`;
  });
}

/**
 * Takes new history events into the channel's outbox, then reads what is due (of `subjects` only,
 * when given), in one transaction
 * under the write lock (so the events after the cursor are exactly those committed after it).
 */
export async function nextNotifications(
  sql: Sql,
  channel: string,
  filter: NotificationFilter | undefined,
  now: number,
  limit: number,
  subjects?: readonly string[],
): Promise<PendingNotification[]> {
  const scope = subjects === undefined ? null : JSON.stringify(subjects);
  return sql.begin(async (tx) => {
    await lockWrites(tx);
    const [found] = await tx<{ cursor: number }[]>`
      SELECT cursor FROM notification_channels WHERE channel = ${channel}`;
    if (found === undefined) throw new Error(`Notification channel ${channel} is not open`);
    let cursor = found.cursor;
    for (let batch = 0; batch < SCAN_BATCHES_PER_READ; batch++) {
      const events = await tx<ScannedEvent[]>`
        SELECT e.id, e.kind, e.at, t.key, t.severity, t.subject, t.invariant
        FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
        WHERE e.id > ${cursor} ORDER BY e.id LIMIT ${SCAN_BATCH}`;
      const accepted = events
        .filter((event) => acceptsEvent(filter, event, event))
        .map((e) => ({ event_id: e.id, key: e.key, event_at: e.at }));
      if (accepted.length > 0) {
        await tx.unsafe(
          `INSERT INTO notification_deliveries (channel, event_id, key, event_at)
           SELECT $1, event_id, key, event_at
           FROM json_to_recordset($2::json) AS x(event_id bigint, key text, event_at bigint)
           ON CONFLICT DO NOTHING`,
          [channel, JSON.stringify(accepted)],
        );
      }
      const last = events.at(-1);
      if (last === undefined) break;
      cursor = last.id;
      await tx`UPDATE notification_channels SET cursor = ${cursor} WHERE channel = ${channel}`;
      if (events.length < SCAN_BATCH) break;
    }
    const rows = await tx<(TicketRow & { attempts: number; event: EventRow })[]>`
      SELECT d.attempts, row_to_json(e) AS event, t.*
      FROM (SELECT min(event_id) AS event_id FROM notification_deliveries
            WHERE channel = ${channel} AND state = 'pending' GROUP BY key) AS h
      JOIN notification_deliveries d ON d.channel = ${channel} AND d.event_id = h.event_id
      JOIN ticket_events e ON e.id = h.event_id
      JOIN tickets t ON t.id = e.ticket_id
      WHERE d.next_attempt_at <= ${now}
        AND (${scope}::json IS NULL OR t.subject IN (SELECT json_array_elements_text(${scope}::json)))
      ORDER BY h.event_id LIMIT ${limit}`;
    return rows.map(
      (row): PendingNotification => ({
        channel,
        attempts: row.attempts,
        event: eventFromRow(row.event),
        ticket: ticketFromRow(row),
      }),
    );
  });
}

/** Records one attempt's result for (channel, event); nothing when it is not pending. */
export async function recordAttempt(
  sql: Sql,
  channel: string,
  eventId: number,
  result: AttemptOutcome,
  now: number,
): Promise<void> {
  await sql.begin(async (tx) => {
    await lockWrites(tx);
    const state = result.outcome === "retry" ? "pending" : result.outcome;
    const next = result.outcome === "retry" ? result.nextAttemptAt : 0;
    const reason = result.outcome === "delivered" ? null : result.reason;
    const deliveredAt = result.outcome === "delivered" ? now : null;
    const settled = await tx`
      UPDATE notification_deliveries
      SET attempts = attempts + 1, state = ${state}, next_attempt_at = ${next}, last_error = ${reason},
        delivered_at = ${deliveredAt}
      WHERE channel = ${channel} AND event_id = ${eventId} AND state = 'pending'`;
    if (settled.count === 0) return;
    if (result.outcome === "delivered") {
      await tx`UPDATE notification_channels SET last_success_at = ${now} WHERE channel = ${channel}`;
    } else if (result.outcome !== "withheld") {
      await tx`
        UPDATE notification_channels SET last_error_at = ${now}, last_error = ${reason}
        WHERE channel = ${channel}`;
    }
  });
}

/** Every channel's delivery state, sorted by name. */
export async function notificationStatus(sql: Sql): Promise<ChannelStatus[]> {
  const rows = await sql<
    {
      channel: string;
      cursor: number;
      last_success_at: number | null;
      last_error_at: number | null;
      last_error: string | null;
      pending: number;
      unexamined: number;
      oldest: number | null;
      failed: number;
    }[]
  >`
    SELECT c.channel, c.cursor, c.last_success_at, c.last_error_at, c.last_error,
      (SELECT count(*) FROM notification_deliveries d
         WHERE d.channel = c.channel AND d.state = 'pending') AS pending,
      (SELECT count(*) FROM ticket_events e WHERE e.id > c.cursor) AS unexamined,
      (SELECT min(event_at) FROM notification_deliveries d
         WHERE d.channel = c.channel AND d.state = 'pending') AS oldest,
      (SELECT count(*) FROM notification_deliveries d
         WHERE d.channel = c.channel AND d.state = 'failed') AS failed
    FROM notification_channels c ORDER BY c.channel COLLATE "C"`;
  return rows.map((row) => ({
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

/** Every unresolved ticket, oldest first. */
export async function unresolvedTickets(sql: Sql): Promise<Ticket[]> {
  const rows = await sql<TicketRow[]>`SELECT * FROM tickets WHERE status <> 'resolved' ORDER BY id`;
  return rows.map(ticketFromRow);
}
