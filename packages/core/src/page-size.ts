import { ConfigError } from "./errors.ts";

/** Page size of a ticket listing whose filter gives no `limit`. */
export const DEFAULT_TICKET_PAGE = 50;

/** The largest page a ticket listing returns; a larger `limit` is refused, never cut silently. */
export const MAX_TICKET_PAGE = 1000;

/**
 * The page size for a filter's `limit`: {@link DEFAULT_TICKET_PAGE} when unset, else a whole number
 * from 1 to {@link MAX_TICKET_PAGE}. Every store calls it, so they agree on what they refuse.
 */
export function ticketPageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_TICKET_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TICKET_PAGE) {
    throw new ConfigError(
      `Invalid ticket filter: limit must be a whole number from 1 to ${MAX_TICKET_PAGE}, got ${limit}`,
    );
  }
  return limit;
}

/**
 * Checks the arguments of `listEventsAfter`: `afterId` a whole number from 0, `limit` a whole number
 * from 1 to {@link MAX_TICKET_PAGE}. Every store calls it, so they agree on what they refuse.
 */
export function ticketFeedRange(afterId: number, limit: number): void {
  if (!Number.isSafeInteger(afterId) || afterId < 0) {
    throw new ConfigError(
      `Invalid event feed position: afterId must be a whole number from 0, got ${afterId}`,
    );
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TICKET_PAGE) {
    throw new ConfigError(
      `Invalid event feed page: limit must be a whole number from 1 to ${MAX_TICKET_PAGE}, got ${limit}`,
    );
  }
}
