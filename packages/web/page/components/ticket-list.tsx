import type { TicketJson } from "../types.ts";
import { FlagBadges, SeverityBadge, StatusBadge } from "./badges.tsx";
import { RelTime } from "./rel-time.tsx";

/** The tickets, unresolved first and by severity, each a link to its view. */
export function TicketList(props: {
  tickets: readonly TicketJson[];
  selectedId: number | null;
  now: number;
  loading: boolean;
  hasMore: boolean;
  onMore(): void;
}) {
  const { tickets } = props;
  if (tickets.length === 0) {
    return (
      <p class="empty" role="status">
        {props.loading ? "Loading tickets…" : "No tickets match. All quiet here."}
      </p>
    );
  }
  return (
    <>
      <ul class="ticket-list" aria-label="Tickets">
        {tickets.map((ticket) => (
          <li
            key={ticket.id}
            class={`ticket-row severity-edge-${ticket.severity}`}
            data-ticket-id={ticket.id}
          >
            <a
              class="ticket-link"
              href={`#/tickets/${ticket.id}`}
              aria-current={ticket.id === props.selectedId ? "true" : undefined}
            >
              <span class="row-badges">
                <SeverityBadge severity={ticket.severity} />
                <StatusBadge status={ticket.status} />
                <FlagBadges ticket={ticket} />
                <span class="ticket-id">#{ticket.id}</span>
              </span>
              <span class="ticket-key">{ticket.key}</span>
              <span class="ticket-message">{ticket.message}</span>
              <span class="row-meta">
                {ticket.status === "resolved" && ticket.resolvedAt ? (
                  <>
                    Resolved <RelTime at={ticket.resolvedAt} now={props.now} />
                  </>
                ) : (
                  <>
                    Last seen <RelTime at={ticket.lastSeenAt} now={props.now} />
                  </>
                )}
                <span aria-hidden="true"> · </span>
                {ticket.occurrenceCount === 1 ? "seen once" : `seen ${ticket.occurrenceCount} times`}
              </span>
            </a>
          </li>
        ))}
      </ul>
      {props.hasMore && (
        <button type="button" class="button more" onClick={props.onMore} disabled={props.loading}>
          {props.loading ? "Loading…" : "Load more tickets"}
        </button>
      )}
    </>
  );
}
