import { checkFeedRead, type Ticket, type TicketFeedItem } from "@operator/core";
import type BetterSqlite3 from "better-sqlite3";
import { type EventRow, eventFromRow, type TicketRow, ticketFromRow } from "./rows.ts";

/**
 * The event feed (core's `listEventsAfter`): events after an id, oldest first, each with its ticket as
 * it stands now. Both reads run in one read transaction, so an event never comes with a ticket from
 * another moment. Ids are AUTOINCREMENT and SQLite has one writer at a time, so ids follow commit order.
 */
export class EventFeed {
  readonly #sqlite: BetterSqlite3.Database;
  readonly #events: BetterSqlite3.Statement<[number, number], EventRow>;
  readonly #tickets: BetterSqlite3.Statement<[string], TicketRow>;

  constructor(sqlite: BetterSqlite3.Database) {
    this.#sqlite = sqlite;
    this.#events = sqlite.prepare("SELECT * FROM ticket_events WHERE id > ? ORDER BY id LIMIT ?");
    this.#tickets = sqlite.prepare(
      "SELECT * FROM tickets_current WHERE id IN (SELECT value FROM json_each(?))",
    );
  }

  /** Events with an id greater than `afterId`, at most `limit`, oldest first. */
  after(afterId: number, limit: number): TicketFeedItem[] {
    checkFeedRead(afterId, limit);
    return this.#sqlite.transaction(() => {
      const rows = this.#events.all(afterId, limit);
      if (rows.length === 0) return [];
      const ids = [...new Set(rows.map((row) => row.ticket_id))];
      const tickets = new Map<number, Ticket>();
      for (const row of this.#tickets.all(JSON.stringify(ids))) tickets.set(row.id, ticketFromRow(row));
      return rows.map((row) => ({ event: eventFromRow(row), ticket: tickets.get(row.ticket_id) as Ticket }));
    })();
  }
}
