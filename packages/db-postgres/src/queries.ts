import {
  checkFeedRead,
  type Ticket,
  type TicketDetail,
  type TicketFeedItem,
  type TicketFilter,
  TicketNotFoundError,
  type TicketPage,
  ticketPageSize,
  ticketSearchText,
} from "@operator/core";
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, ne, type SQL, sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { ticketEvents, tickets } from "./schema.ts";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

/** The store's Drizzle handle. */
export type Db = PostgresJsDatabase;

/**
 * Tickets matching `filter`, newest first, one page at a time, paged on the id (keyset), so page N
 * costs what page 1 does and tickets opened meanwhile do not shift pages.
 */
export async function listTickets(db: Db, filter: TicketFilter = {}): Promise<TicketPage> {
  const limit = ticketPageSize(filter.limit);
  const search = ticketSearchText(filter.search);
  const where: SQL[] = [];
  if (filter.status !== undefined) where.push(inArray(tickets.status, [...filter.status]));
  else if (filter.includeResolved !== true) where.push(ne(tickets.status, "resolved"));
  if (filter.severity !== undefined) where.push(inArray(tickets.severity, [...filter.severity]));
  if (filter.subject !== undefined) where.push(eq(tickets.subject, filter.subject));
  if (filter.invariant !== undefined) where.push(eq(tickets.invariant, filter.invariant));
  if (filter.held !== undefined) where.push(eq(tickets.held, filter.held));
  if (filter.silenced !== undefined) where.push(eq(tickets.silenced, filter.silenced));
  if (filter.since !== undefined) where.push(gte(tickets.lastSeenAt, filter.since));
  if (filter.until !== undefined) where.push(lte(tickets.firstSeenAt, filter.until));
  if (filter.before !== undefined) where.push(lt(tickets.id, filter.before));
  if (search !== undefined) {
    // ASCII letters only are lowered, as SQLite's lower() does, so both stores find the same tickets.
    const lowered = (column: typeof tickets.key | typeof tickets.message) =>
      sql`translate(${column}, ${UPPER}, ${LOWER})`;
    where.push(
      sql`(strpos(${lowered(tickets.key)}, ${search}) > 0 OR strpos(${lowered(tickets.message)}, ${search}) > 0)`,
    );
  }
  const rows: Ticket[] = await db
    .select()
    .from(tickets)
    .where(and(...where))
    .orderBy(desc(tickets.id))
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { tickets: page, nextCursor: more ? (page.at(-1)?.id ?? null) : null };
}

/** One ticket with its events, oldest first. Throws `TicketNotFoundError`. */
export async function getTicket(db: Db, id: number): Promise<TicketDetail> {
  if (!Number.isSafeInteger(id)) throw new TicketNotFoundError(id);
  const [ticket]: Ticket[] = await db.select().from(tickets).where(eq(tickets.id, id));
  if (ticket === undefined) throw new TicketNotFoundError(id);
  const events = await db
    .select()
    .from(ticketEvents)
    .where(eq(ticketEvents.ticketId, id))
    .orderBy(asc(ticketEvents.id));
  return { ticket, events };
}

/** Events with an id greater than `afterId`, oldest first, at most `limit`, each with its ticket. */
export async function listEventsAfter(db: Db, afterId: number, limit: number): Promise<TicketFeedItem[]> {
  checkFeedRead(afterId, limit);
  return db
    .select({ event: ticketEvents, ticket: tickets })
    .from(ticketEvents)
    .innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
    .where(gt(ticketEvents.id, afterId))
    .orderBy(asc(ticketEvents.id))
    .limit(limit);
}
