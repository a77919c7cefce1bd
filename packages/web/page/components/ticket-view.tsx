import { useLayoutEffect, useRef } from "preact/hooks";
import { capText } from "../parse.ts";
import { ACTION_WORDS, availableActions } from "../tickets.ts";
import type { EventJson, TicketAction, TicketDetailJson } from "../types.ts";
import { FlagBadges, SeverityBadge, StatusBadge } from "./badges.tsx";
import { RelTime } from "./rel-time.tsx";

/** One ticket: what is wrong, what to check, the values behind it, its history and the actions. */
export function TicketView(props: {
  ticket: TicketDetailJson;
  now: number;
  onAction(action: TicketAction): void;
}) {
  const { ticket, now } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  // In the same task as the render: a deferred move could pull focus back from where the person
  // has tabbed to meanwhile.
  useLayoutEffect(() => heading.current?.focus(), [ticket.id]);
  const actions = availableActions(ticket);
  return (
    <article class="ticket-view" aria-labelledby="ticket-heading">
      <a class="back" href="#/">
        ← All tickets
      </a>
      <div class="row-badges">
        <SeverityBadge severity={ticket.severity} />
        <StatusBadge status={ticket.status} />
        <FlagBadges ticket={ticket} />
      </div>
      <h2 id="ticket-heading" tabIndex={-1} ref={heading}>
        <span class="ticket-id">#{ticket.id}</span> {ticket.key}
      </h2>
      <p class="message">{ticket.message}</p>
      {ticket.runbook && (
        <aside class="runbook" aria-label="Runbook hint">
          <strong>Check first:</strong> {ticket.runbook.hint}
          {ticket.runbook.url && (
            <>
              {" "}
              <a href={ticket.runbook.url} rel="noopener noreferrer" target="_blank">
                More in the runbook
              </a>
            </>
          )}
        </aside>
      )}
      {actions.length > 0 && (
        <fieldset class="actions">
          <legend class="visually-hidden">Actions</legend>
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              class={`button ${action === "resolve" ? "button-primary" : ""}`}
              data-action={action}
              onClick={() => props.onAction(action)}
            >
              {ACTION_WORDS[action].label}
              {action === "diagnose" ? "…" : ""}
            </button>
          ))}
        </fieldset>
      )}
      <dl class="facts">
        <div>
          <dt>First seen</dt>
          <dd>
            <RelTime at={ticket.firstSeenAt} now={now} />
          </dd>
        </div>
        <div>
          <dt>Last seen</dt>
          <dd>
            <RelTime at={ticket.lastSeenAt} now={now} />
          </dd>
        </div>
        <div>
          <dt>Occurrences</dt>
          <dd>{ticket.occurrenceCount}</dd>
        </div>
        {ticket.acknowledgedAt && (
          <div>
            <dt>Acknowledged</dt>
            <dd>
              <RelTime at={ticket.acknowledgedAt} now={now} />
              {ticket.acknowledgedBy && <> by {ticket.acknowledgedBy}</>}
            </dd>
          </div>
        )}
        {ticket.resolvedAt && (
          <div>
            <dt>Resolved</dt>
            <dd>
              <RelTime at={ticket.resolvedAt} now={now} />
              {ticket.resolvedBy && <> by {ticket.resolvedBy}</>}
            </dd>
          </div>
        )}
        {ticket.previousTicketId !== null && (
          <div>
            <dt>Previous ticket</dt>
            <dd>
              <a href={`#/tickets/${ticket.previousTicketId}`}>#{ticket.previousTicketId}</a>
            </dd>
          </div>
        )}
      </dl>
      {ticket.diagnosis && (
        <section class="diagnosis" aria-labelledby="diagnosis-heading">
          <h3 id="diagnosis-heading">Diagnosis</h3>
          <p>{ticket.diagnosis}</p>
        </section>
      )}
      <Values first={ticket.firstValues} last={ticket.lastValues} />
      <section aria-labelledby="timeline-heading">
        <h3 id="timeline-heading">History</h3>
        <ol class="timeline">
          {ticket.events.map((event) => (
            <li key={event.id} class={`event event-${event.kind}`}>
              <span class="event-what">{describeEvent(event)}</span>
              <span class="event-meta">
                by {event.actor}, <RelTime at={event.at} now={now} />
              </span>
              {event.comment && <q class="event-comment">{event.comment}</q>}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

/** An event in words: `Opened`, `Severity changed from warning to critical`. */
export function describeEvent(event: EventJson): string {
  const change = event.from && event.to ? ` from ${event.from} to ${event.to}` : "";
  switch (event.kind) {
    case "opened":
      return "Opened";
    case "acknowledged":
      return "Acknowledged";
    case "diagnosed":
      return "Diagnosed";
    case "resolved":
      return "Resolved";
    case "held":
      return "Put on hold";
    case "unheld":
      return "Hold released";
    case "severity_changed":
      return `Severity changed${change}`;
    case "flapping_started":
      return "Started flapping";
    case "flapping_stopped":
      return "Stopped flapping";
    case "silenced":
      return "Silenced";
    case "unsilenced":
      return "No longer silenced";
    default:
      return `${event.kind.replaceAll("_", " ")}${change}`;
  }
}

function Values(props: {
  first: Readonly<Record<string, unknown>>;
  last: Readonly<Record<string, unknown>>;
}) {
  const names = [...new Set([...Object.keys(props.last), ...Object.keys(props.first)])].slice(0, 200);
  if (names.length === 0) return null;
  return (
    <section aria-labelledby="values-heading">
      <h3 id="values-heading">Values</h3>
      <div class="table-wrap">
        <table class="values">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Latest</th>
              <th scope="col">When opened</th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => (
              <tr key={name}>
                <th scope="row">{capText(name, 200)}</th>
                <td>{formatValue(props.last[name])}</td>
                <td>{formatValue(props.first[name])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A value for the table: numbers rounded for reading, anything else as short text. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "–";
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === "string") return capText(value, 500);
  return capText(JSON.stringify(value) ?? String(value), 500);
}
