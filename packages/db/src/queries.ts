import {
  DEFAULT_TICKET_PAGE,
  MAX_TICKET_PAGE,
  type Ticket,
  type TicketDetail,
  type TicketFilter,
  TicketNotFoundError,
  type TicketPage,
  ticketPageSize,
  ticketSearchText,
} from "@operator/core";
import { and, asc, desc, eq, gte, inArray, lt, lte, ne, type SQL, sql } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { ticketEvents, ticketsCurrent } from "./schema.ts";

/** Page size when a filter gives none. */
export const DEFAULT_PAGE_SIZE = DEFAULT_TICKET_PAGE;

/** The largest page a listing returns. */
export const MAX_PAGE_SIZE = MAX_TICKET_PAGE;

/**
 * Tickets matching `filter`, newest first, one page at a time. Pages follow the id (keyset
 * pagination), so page N costs the same as page 1 and tickets opened meanwhile do not shift pages.
 */
export function listTickets(db: BetterSQLite3Database, filter: TicketFilter = {}): TicketPage {
  const limit = ticketPageSize(filter.limit);
  const search = ticketSearchText(filter.search);
  const where: SQL[] = [];
  if (filter.status !== undefined) where.push(inArray(ticketsCurrent.status, [...filter.status]));
  else if (filter.includeResolved !== true) where.push(ne(ticketsCurrent.status, "resolved"));
  if (filter.severity !== undefined) where.push(inArray(ticketsCurrent.severity, [...filter.severity]));
  if (filter.subject !== undefined) where.push(eq(ticketsCurrent.subject, filter.subject));
  if (filter.invariant !== undefined) where.push(eq(ticketsCurrent.invariant, filter.invariant));
  if (filter.held !== undefined) where.push(eq(ticketsCurrent.held, filter.held));
  if (filter.silenced !== undefined) where.push(eq(ticketsCurrent.silenced, filter.silenced));
  if (filter.since !== undefined) where.push(gte(ticketsCurrent.lastSeenAt, filter.since));
  if (filter.until !== undefined) where.push(lte(ticketsCurrent.firstSeenAt, filter.until));
  if (filter.before !== undefined) where.push(lt(ticketsCurrent.id, filter.before));
  if (search !== undefined) {
    where.push(
      sql`(instr(lower(${ticketsCurrent.key}), ${search}) > 0 OR instr(lower(${ticketsCurrent.message}), ${search}) > 0)`,
    );
  }
  const rows: Ticket[] = db
    .select()
    .from(ticketsCurrent)
    .where(and(...where))
    .orderBy(desc(ticketsCurrent.id))
    .limit(limit + 1)
    .all();
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { tickets: page, nextCursor: more ? (page.at(-1)?.id ?? null) : null };
}

/** One ticket with its events, oldest first. Throws `TicketNotFoundError`. */
export function getTicket(db: BetterSQLite3Database, id: number): TicketDetail {
  const ticket: Ticket | undefined = db.select().from(ticketsCurrent).where(eq(ticketsCurrent.id, id)).get();
  if (ticket === undefined) throw new TicketNotFoundError(id);
  const events = db
    .select()
    .from(ticketEvents)
    .where(eq(ticketEvents.ticketId, id))
    .orderBy(asc(ticketEvents.id))
    .all();
  return { ticket, events };
}
