import type { DeliveryContext, Notification, Notifier, Severity, TicketEventKind } from "@operator/core";
import { z } from "zod";
import { generatorUrl } from "./alert.ts";
import { truncate } from "./describe.ts";
import { postJson } from "./http.ts";
import {
  COMMON_FIELDS,
  type CommonOptions,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  httpUrl,
  parseOptions,
  resolveSecret,
  toFilter,
} from "./options.ts";
import { createRedactor, displayUrl, secretsOfUrl } from "./redact.ts";

/** Options of the `pagerduty` channel. */
export interface PagerDutyOptions extends CommonOptions {
  /** The integration's routing key (or `routingKeyFile`): a secret, never shown. */
  readonly routingKey?: string;
  readonly routingKeyFile?: string;
  /** The Events API v2 endpoint; default PagerDuty's. */
  readonly url?: string;
  /** Template of the `client_url` link (`{ticket_id}`, `{key}` replaced). */
  readonly externalUrl?: string;
}

/** PagerDuty's Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/** What PagerDuty is told for each event kind; kinds absent here send nothing. */
export const PAGERDUTY_ACTIONS: Readonly<
  Partial<Record<TicketEventKind, "trigger" | "acknowledge" | "resolve">>
> = {
  opened: "trigger",
  severity_changed: "trigger",
  acknowledged: "acknowledge",
  resolved: "resolve",
};

/** Our severities in PagerDuty's terms (`error` is not used). */
export const PAGERDUTY_SEVERITIES: Readonly<Record<Severity, "critical" | "error" | "warning" | "info">> = {
  critical: "critical",
  warning: "warning",
  info: "info",
};

/** One PagerDuty Events API v2 event. */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: "trigger" | "acknowledge" | "resolve";
  readonly dedup_key: string;
  readonly client?: string;
  readonly client_url?: string;
  /** The runbook's page, when the ticket's invariant names one. */
  readonly links?: readonly { readonly href: string; readonly text: string }[];
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: "critical" | "error" | "warning" | "info";
    readonly timestamp: string;
    readonly component: string;
    readonly group: string;
    readonly class: string;
    readonly custom_details: Record<string, unknown>;
  };
}

/**
 * The `pagerduty` channel: one Events API v2 event per notification, `dedup_key` = the ticket key.
 * `opened` and `severity_changed` trigger (a trigger on an open alert updates it), `acknowledged`
 * acknowledges, `resolved` resolves. Other kinds (diagnosed, held, unheld, flapping) are answered
 * `delivered` without sending anything: they would only add noise to a pager, and a trigger sent
 * for them after a resolve would reopen the incident.
 */
export function pagerDutyNotifier(options: PagerDutyOptions): Notifier {
  const type = "pagerduty";
  const parsed = parseOptions(type, SCHEMA, options);
  const routingKey = resolveSecret(
    type,
    "routingKey",
    parsed.routingKey,
    parsed.routingKeyFile,
    true,
  ) as string;
  const url = parsed.url ?? PAGERDUTY_EVENTS_URL;
  const redact = createRedactor([routingKey, ...secretsOfUrl(url, false)]);
  const filter = toFilter(parsed.filter);
  const timeoutMs = parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = parsed.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const display = `PagerDuty ${displayUrl(url, false)}`;
  return {
    name: parsed.name ?? type,
    type,
    ...(filter === undefined ? {} : { filter }),
    async deliver(notification: Notification, context: DeliveryContext) {
      const event = pagerDutyEvent(notification, routingKey, parsed.externalUrl);
      if (event === undefined) return { outcome: "delivered" };
      const body = JSON.stringify(event);
      return postJson({ url, display, body, headers: {}, timeoutMs, maxBodyBytes, redact }, context);
    },
  };
}

/** The PagerDuty event of a notification, or undefined for kinds PagerDuty is not told about. */
export function pagerDutyEvent(
  notification: Notification,
  routingKey: string,
  externalUrl?: string,
): PagerDutyEvent | undefined {
  const { ticket, event } = notification;
  const action = PAGERDUTY_ACTIONS[event.kind];
  if (action === undefined) return undefined;
  const link = generatorUrl(ticket, externalUrl);
  const base = {
    routing_key: routingKey,
    event_action: action,
    dedup_key: ticket.key,
    client: "Operator",
    ...(link === undefined ? {} : { client_url: link }),
  };
  if (action !== "trigger") return base;
  const runbook = ticket.runbook;
  return {
    ...base,
    ...(runbook?.url === undefined ? {} : { links: [{ href: runbook.url, text: "Runbook" }] }),
    payload: {
      summary: truncate(
        `[${ticket.subject}] ${ticket.invariant} on ${ticket.entity}: ${ticket.message}`,
        1024,
      ),
      source: ticket.entity,
      severity: PAGERDUTY_SEVERITIES[ticket.severity],
      timestamp: new Date(event.at).toISOString(),
      component: ticket.subject,
      group: ticket.subject,
      class: ticket.invariant,
      custom_details: {
        ticket_id: ticket.id,
        key: ticket.key,
        status: ticket.status,
        event: event.kind,
        by: event.actor,
        ...(event.from === null ? {} : { from: event.from }),
        ...(event.to === null ? {} : { to: event.to }),
        ...(event.comment === null ? {} : { comment: event.comment }),
        first_seen: new Date(ticket.firstSeenAt).toISOString(),
        occurrences: ticket.occurrenceCount,
        flapping: ticket.flapping,
        held: ticket.held,
        values: ticket.lastValues,
        ...(runbook ? { runbook: truncate(runbook.hint, 1024) } : {}),
      },
    },
  };
}

const SCHEMA = z.strictObject({
  ...COMMON_FIELDS,
  routingKey: z.string().optional(),
  routingKeyFile: z.string().min(1).optional(),
  url: httpUrl.optional(),
  externalUrl: httpUrl.optional(),
});
