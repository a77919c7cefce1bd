import type { Notification, TicketEventKind } from "@operator/core";

/** How each event kind reads in a message. */
export const EVENT_TITLES: Readonly<Record<TicketEventKind, string>> = {
  opened: "Opened",
  acknowledged: "Acknowledged",
  diagnosed: "Diagnosed",
  resolved: "Resolved",
  held: "Held",
  unheld: "Released from hold",
  severity_changed: "Severity changed",
  flapping_started: "Flapping started",
  flapping_stopped: "Flapping stopped",
  silenced: "Silenced",
  unsilenced: "Silence ended",
};

/** `open → acknowledged`, `warning → critical`, or undefined when the event has neither side. */
export function changeOf(notification: Notification): string | undefined {
  const { from, to } = notification.event;
  if (from === null && to === null) return undefined;
  return `${from ?? "—"} → ${to ?? "—"}`;
}

/** Cuts a text to `max` characters, marking the cut with `…`. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
