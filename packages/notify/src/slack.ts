import type { DeliveryContext, Notification, Notifier } from "@operator/core";
import { z } from "zod";
import { changeOf, EVENT_TITLES, truncate } from "./describe.ts";
import { postJson } from "./http.ts";
import {
  COMMON_FIELDS,
  type CommonOptions,
  checkUrl,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  httpUrl,
  parseOptions,
  resolveSecret,
  toFilter,
} from "./options.ts";
import { createRedactor, displayUrl, secretsOfUrl } from "./redact.ts";

/** Options of the `slack` channel. */
export interface SlackOptions extends CommonOptions {
  /** The incoming webhook's URL (`https://hooks.slack.com/services/...`): a secret, never shown. */
  readonly url?: string;
  /** A file holding the URL. */
  readonly urlFile?: string;
}

/** A Slack incoming-webhook message: fallback text plus Block Kit blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/**
 * The `slack` channel: POSTs a message to a Slack incoming webhook for each notification, saying the
 * severity, what changed, the key, the message and the ticket id. The URL is a secret: reasons show
 * only its origin.
 */
export function slackNotifier(options: SlackOptions): Notifier {
  const type = "slack";
  const parsed = parseOptions(type, SCHEMA, options);
  const url = checkUrl(
    type,
    parsed.urlFile ? "urlFile" : "url",
    resolveSecret(type, "url", parsed.url, parsed.urlFile, true) as string,
  );
  const redact = createRedactor(secretsOfUrl(url, true));
  const filter = toFilter(parsed.filter);
  const timeoutMs = parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = parsed.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const display = `Slack webhook ${displayUrl(url, true)}`;
  return {
    name: parsed.name ?? type,
    type,
    ...(filter === undefined ? {} : { filter }),
    deliver(notification: Notification, context: DeliveryContext) {
      const body = JSON.stringify(slackMessage(notification));
      return postJson({ url, display, body, headers: {}, timeoutMs, maxBodyBytes, redact }, context);
    },
  };
}

/** Escapes the three characters Slack's mrkdwn treats as control characters: `&`, `<`, `>`. */
export function escapeSlack(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * The Slack message of one notification: `text` (shown in notifications and where blocks are not)
 * and blocks: a section with the headline and message, fields (severity, ticket, key, change, by),
 * the runbook hint (`Check first: ...` and its URL) when the invariant has one and, when the event
 * has one, its comment or reason. All outside text is escaped and cut to Slack's
 * limits.
 */
export function slackMessage(notification: Notification): SlackMessage {
  const { ticket, event } = notification;
  const severity = ticket.severity.toUpperCase();
  const title = EVENT_TITLES[event.kind];
  const key = escapeSlack(truncate(ticket.key, 900));
  const message = escapeSlack(truncate(ticket.message, 2000));
  const change = changeOf(notification);
  const fields = [
    `*Severity*\n${severity}`,
    `*Ticket*\n#${ticket.id} (${ticket.status})`,
    `*Key*\n${key}`,
    `*Event*\n${title}${change === undefined ? "" : `: ${escapeSlack(truncate(change, 1800))}`}`,
    `*By*\n${escapeSlack(truncate(event.actor, 1900))}`,
  ];
  const blocks: Record<string, unknown>[] = [
    { type: "section", text: { type: "mrkdwn", text: `*[${severity}] ${title}:* ${key}\n${message}` } },
    { type: "section", fields: fields.map((text) => ({ type: "mrkdwn", text })) },
  ];
  if (ticket.runbook) {
    const url = ticket.runbook.url === undefined ? "" : `\n${escapeSlack(truncate(ticket.runbook.url, 900))}`;
    blocks.push({
      type: "context",
      elements: [
        { type: "mrkdwn", text: `*Check first:* ${escapeSlack(truncate(ticket.runbook.hint, 1900))}${url}` },
      ],
    });
  }
  if (event.comment !== null && event.comment !== "") {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `*Comment:* ${escapeSlack(truncate(event.comment, 2900))}` }],
    });
  }
  return { text: `[${severity}] ${title}: ${key}: ${escapeSlack(truncate(ticket.message, 1000))}`, blocks };
}

const SCHEMA = z.strictObject({
  ...COMMON_FIELDS,
  url: httpUrl.optional(),
  urlFile: z.string().min(1).optional(),
});
