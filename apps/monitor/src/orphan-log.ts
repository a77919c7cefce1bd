import type { OrphanResolution } from "@operator/core";
import type { CliLogger } from "./logger.ts";
import { logTicketEvents } from "./ticket-log.ts";

/**
 * Logs what an orphan resolution did: one line per resolved ticket
 * (`Ticket 12 resolved: beta/probe/1 (removed from configuration)`), and one warning per orphaned
 * ticket left open because a person holds it.
 */
export function logOrphans(logger: CliLogger, resolution: OrphanResolution): void {
  logTicketEvents(logger, resolution.events);
  for (const ticket of resolution.held) {
    logger.warn(
      `Ticket ${ticket.id} is orphaned but held: ${ticket.key} is no longer in the configuration; it stays open until a person resolves it`,
      { ticket: ticket.id, key: ticket.key, event: "orphaned_held", severity: ticket.severity },
    );
  }
}
