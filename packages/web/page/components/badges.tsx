import type { Severity, TicketJson, TicketStatus } from "../types.ts";

const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  critical: "Critical",
  warning: "Warning",
  info: "Info",
};

const STATUS_LABEL: Readonly<Record<TicketStatus, string>> = {
  open: "Open",
  acknowledged: "Acknowledged",
  diagnosed: "Diagnosed",
  resolved: "Resolved",
};

/** The severity as a coloured label: the word is always there, the colour only helps. */
export function SeverityBadge(props: { severity: Severity }) {
  return (
    <span class={`badge severity severity-${props.severity}`}>
      <span class="severity-mark" aria-hidden="true" />
      {SEVERITY_LABEL[props.severity]}
    </span>
  );
}

/** The ticket's status as a label. */
export function StatusBadge(props: { status: TicketStatus }) {
  return <span class={`badge status status-${props.status}`}>{STATUS_LABEL[props.status]}</span>;
}

/** Flapping, held and silenced, each as a labelled badge with a tooltip saying what it means. */
export function FlagBadges(props: { ticket: TicketJson }) {
  const { ticket } = props;
  return (
    <>
      {ticket.flapping && (
        <span class="badge flag flag-flapping" title="The problem comes and goes: the ticket stays open">
          Flapping
        </span>
      )}
      {ticket.held && (
        <span class="badge flag flag-held" title="On hold: the monitor will not resolve it">
          Held
        </span>
      )}
      {ticket.silenced && (
        <span class="badge flag flag-silenced" title="A silence covers it: no notifications are sent">
          Silenced
        </span>
      )}
    </>
  );
}

/** The status word for sentences (`acknowledged`). */
export function statusWord(status: TicketStatus): string {
  return STATUS_LABEL[status].toLowerCase();
}

/** The severity word for sentences (`critical`). */
export function severityWord(severity: Severity): string {
  return SEVERITY_LABEL[severity].toLowerCase();
}
