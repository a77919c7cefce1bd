import {
  DEFAULT_TICKET_PAGE,
  MAX_TICKET_PAGE,
  type TicketDetail,
  type TicketFilter,
  TicketNotFoundError,
  type TicketPage,
  ticketPageSize,
  ticketSearchText,
} from "@operator/core";
import type BetterSqlite3 from "better-sqlite3";
import { type EventRow, eventFromRow, type TicketRow, ticketFromRow } from "./rows.ts";

/** Page size when a filter gives none. */
export const DEFAULT_PAGE_SIZE = DEFAULT_TICKET_PAGE;

/** The largest page a listing returns. */
export const MAX_PAGE_SIZE = MAX_TICKET_PAGE;

/**
 * Reads of tickets for people: filtered pages and one ticket with its history. Plain prepared SQL,
 * one statement per combination of filters in use (lists are passed as JSON), so a short command
 * such as `operator tickets list` loads no query builder.
 */
export class TicketQueries {
  readonly #sqlite: BetterSqlite3.Database;
  readonly #lists = new Map<string, BetterSqlite3.Statement<unknown[], TicketRow>>();
  readonly #ticket: BetterSqlite3.Statement<[number], TicketRow>;
  readonly #events: BetterSqlite3.Statement<[number], EventRow>;

  constructor(sqlite: BetterSqlite3.Database) {
    this.#sqlite = sqlite;
    this.#ticket = sqlite.prepare("SELECT * FROM tickets_current WHERE id = ?");
    this.#events = sqlite.prepare("SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id");
  }

  /**
   * Tickets matching `filter`, newest first, one page at a time. Pages follow the id (keyset
   * pagination), so page N costs the same as page 1 and tickets opened meanwhile do not shift pages.
   */
  list(filter: TicketFilter = {}): TicketPage {
    const limit = ticketPageSize(filter.limit);
    const search = ticketSearchText(filter.search);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (filter.status !== undefined)
      add("status IN (SELECT value FROM json_each(?))", JSON.stringify(filter.status));
    else if (filter.includeResolved !== true) add("status <> 'resolved'");
    if (filter.severity !== undefined)
      add("severity IN (SELECT value FROM json_each(?))", JSON.stringify(filter.severity));
    if (filter.subject !== undefined) add("subject = ?", filter.subject);
    if (filter.invariant !== undefined) add("invariant = ?", filter.invariant);
    if (filter.held !== undefined) add("held = ?", filter.held ? 1 : 0);
    if (filter.silenced !== undefined) add("silenced = ?", filter.silenced ? 1 : 0);
    if (filter.since !== undefined) add("last_seen_at >= ?", filter.since);
    if (filter.until !== undefined) add("first_seen_at <= ?", filter.until);
    if (filter.before !== undefined) add("id < ?", filter.before);
    if (search !== undefined)
      add("(instr(lower(key), ?) > 0 OR instr(lower(message), ?) > 0)", search, search);
    const rows = this.#list(where).all(...params, limit + 1);
    const more = rows.length > limit;
    const page = (more ? rows.slice(0, limit) : rows).map(ticketFromRow);
    return { tickets: page, nextCursor: more ? (page.at(-1)?.id ?? null) : null };
  }

  /** One ticket with its events, oldest first, read together. Throws `TicketNotFoundError`. */
  get(id: number): TicketDetail {
    return this.#sqlite.transaction(() => {
      const row = this.#ticket.get(id);
      if (row === undefined) throw new TicketNotFoundError(id);
      return { ticket: ticketFromRow(row), events: this.#events.all(id).map(eventFromRow) };
    })();
  }

  #list(where: readonly string[]): BetterSqlite3.Statement<unknown[], TicketRow> {
    const sql = `SELECT * FROM tickets_current${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    let statement = this.#lists.get(sql);
    if (statement === undefined) {
      statement = this.#sqlite.prepare(sql);
      this.#lists.set(sql, statement);
    }
    return statement;
  }
}
