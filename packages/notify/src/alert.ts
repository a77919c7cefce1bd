import type { Ticket } from "@operator/core";
import { truncate } from "./describe.ts";

/** Longest `summary` annotation, characters; a longer message is cut with `…`. */
export const MAX_SUMMARY = 4096;

/** Longest `runbook` (hint) and `runbook_url` annotation, characters. */
export const MAX_RUNBOOK = 1024;

/** The labels a ticket's alert always has; extra labels may not use these names. */
export const ALERT_LABELS = ["alertname", "subject", "entity", "severity"] as const;

/** A Prometheus-style label name. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One alert in Alertmanager's API v2 form (`POST /api/v2/alerts`). */
export interface Alert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
}

/** How a ticket becomes an alert. */
export interface AlertOptions {
  /** Extra labels on every alert. */
  readonly labels: Readonly<Record<string, string>>;
  /** A URL template for `generatorURL`: `{ticket_id}` and `{key}` are replaced (URL-encoded). */
  readonly externalUrl: string | undefined;
}

/**
 * A ticket's alert: labels `alertname` (the invariant), `subject`, `entity`, `severity` and the
 * extra labels; annotations `summary` (the message), `ticket_id`, `key`, and when the invariant has
 * a runbook hint `runbook` (the hint) and `runbook_url` (its URL, if any); `startsAt` the first time
 * it was seen; `endsAt` the resolve time for a resolved ticket, else `firingEndsAt`.
 */
export function ticketAlert(
  ticket: Ticket,
  options: AlertOptions,
  firingEndsAt: number,
  severity = ticket.severity,
): Alert {
  const resolved = ticket.status === "resolved";
  const generatorURL = generatorUrl(ticket, options.externalUrl);
  return {
    labels: {
      ...options.labels,
      alertname: ticket.invariant,
      subject: ticket.subject,
      entity: ticket.entity,
      severity,
    },
    annotations: {
      summary: truncate(ticket.message, MAX_SUMMARY),
      ticket_id: String(ticket.id),
      key: ticket.key,
      ...runbookAnnotations(ticket),
    },
    startsAt: new Date(ticket.firstSeenAt).toISOString(),
    endsAt: new Date(resolved ? (ticket.resolvedAt ?? ticket.updatedAt) : firingEndsAt).toISOString(),
    ...(generatorURL === undefined ? {} : { generatorURL }),
  };
}

/** The `runbook` and `runbook_url` annotations of a ticket with a runbook hint; none without one. */
export function runbookAnnotations(ticket: Ticket): Record<string, string> {
  const runbook = ticket.runbook;
  if (!runbook) return {};
  return {
    runbook: truncate(runbook.hint, MAX_RUNBOOK),
    ...(runbook.url === undefined ? {} : { runbook_url: truncate(runbook.url, MAX_RUNBOOK) }),
  };
}

/** The `generatorURL` of a ticket's alert, from the configured template. */
export function generatorUrl(ticket: Ticket, template: string | undefined): string | undefined {
  if (template === undefined) return undefined;
  return template
    .replaceAll("{ticket_id}", encodeURIComponent(String(ticket.id)))
    .replaceAll("{key}", encodeURIComponent(ticket.key));
}

/**
 * Alertmanager's fingerprint of a label set (Prometheus `model.LabelSet.Fingerprint`): FNV-1a 64 over
 * the label names in order, each name and value followed by the byte 0xff; 16 hex digits.
 */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
  // The 64-bit hash as two unsigned 32-bit halves: plain number arithmetic, no BigInt per byte.
  let hi = FNV_OFFSET_HI;
  let lo = FNV_OFFSET_LO;
  const mix = (byte: number) => {
    lo = (lo ^ byte) >>> 0;
    // (hi:lo) * (2^40 + 0x1b3) mod 2^64; every partial product stays below 2^53.
    const low = lo * FNV_PRIME_LO;
    hi = (hi * FNV_PRIME_LO + Math.floor(low / 2 ** 32) + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const part of [name, labels[name] as string]) {
      if (!NON_ASCII.test(part)) for (let i = 0; i < part.length; i++) mix(part.charCodeAt(i));
      else for (const byte of ENCODER.encode(part)) mix(byte);
      mix(0xff);
    }
  }
  return hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
}

/** FNV-1a 64's offset basis 0xcbf29ce484222325, in halves; its prime is 2^40 + 0x1b3. */
const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;
const FNV_PRIME_LO = 0x1b3;
const ENCODER = new TextEncoder();
const NON_ASCII = /[\u0080-\uffff]/;
