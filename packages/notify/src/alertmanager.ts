import {
  ConfigError,
  type DeliveryContext,
  type DeliveryResult,
  isSeverity,
  type Notification,
  type Notifier,
  type Ticket,
} from "@operator/core";
import { z } from "zod";
import { ALERT_LABELS, type Alert, LABEL_NAME, ticketAlert } from "./alert.ts";
import { combineResults } from "./combine.ts";
import { postJson } from "./http.ts";
import {
  COMMON_FIELDS,
  type CommonOptions,
  checkHeaderSecret,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  headersSchema,
  httpUrl,
  parseOptions,
  prefix,
  resolveSecret,
  toFilter,
} from "./options.ts";
import { createRedactor, displayUrl, secretsOfUrl } from "./redact.ts";

/** Options of the `alertmanager` channel. */
export interface AlertmanagerOptions extends CommonOptions {
  /** One Alertmanager's base URL, e.g. `http://am:9093` (or `url` as a list). */
  readonly url?: string | readonly string[];
  /** Several Alertmanagers (an HA pair): each gets every alert. */
  readonly urls?: readonly string[];
  /** Extra labels on every alert, e.g. `{ "team": "storage" }`; may not replace the ticket's own. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Template of each alert's `generatorURL`; `{ticket_id}` and `{key}` are replaced. */
  readonly externalUrl?: string;
  /** How often every unresolved ticket's alert is re-sent, ms (default 60 000). */
  readonly resendIntervalMs?: number;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly bearerToken?: string;
  /** A file holding the bearer token. */
  readonly bearerTokenFile?: string;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Default re-send interval: Prometheus' default `resend_delay` is 1 m as well. */
export const DEFAULT_RESEND_INTERVAL_MS = 60_000;

/** While a ticket is unresolved its alert's `endsAt` is this many re-send intervals ahead. */
export const ENDS_AT_INTERVALS = 4;

/** Alerts per POST when re-sending many tickets. */
export const RESEND_BATCH = 500;

/**
 * The `alertmanager` channel: POSTs each ticket's alert to Alertmanager's API v2 (`/api/v2/alerts`)
 * on every URL, and re-sends every unresolved ticket's alert each `resendIntervalMs` so Alertmanager
 * never times it out. A delivery is `delivered` only when every URL accepted it.
 */
export function alertmanagerNotifier(options: AlertmanagerOptions): Notifier {
  const type = "alertmanager";
  const parsed = parseOptions(type, SCHEMA, options);
  const given = [
    ...(parsed.url === undefined ? [] : typeof parsed.url === "string" ? [parsed.url] : parsed.url),
    ...(parsed.urls ?? []),
  ];
  if (given.length === 0)
    throw new ConfigError(`${prefix(type)} Missing required option \`url\` (or \`urls\`)`);
  const bases = [...new Set(given.map((url) => url.replace(/\/+$/, "")))];
  const labels = parsed.labels ?? {};
  for (const label of Object.keys(labels)) {
    if ((ALERT_LABELS as readonly string[]).includes(label)) {
      throw new ConfigError(
        `${prefix(type)} Option \`labels.${label}\` would replace the ticket's own label`,
      );
    }
  }
  const token = checkHeaderSecret(
    type,
    "bearerToken",
    resolveSecret(type, "bearerToken", parsed.bearerToken, parsed.bearerTokenFile, false),
  );
  const extra = parsed.headers ?? {};
  if (token !== undefined && Object.keys(extra).some((name) => name.toLowerCase() === "authorization")) {
    throw new ConfigError(`${prefix(type)} Option \`headers\` sets Authorization as well as \`bearerToken\``);
  }
  const headers: Record<string, string> = {
    ...extra,
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  };
  const redact = createRedactor([
    ...(token === undefined ? [] : [token]),
    ...Object.values(extra),
    ...bases.flatMap((url) => secretsOfUrl(url, false)),
  ]);
  const resendIntervalMs = parsed.resendIntervalMs ?? DEFAULT_RESEND_INTERVAL_MS;
  const alertOptions = { labels, externalUrl: parsed.externalUrl };
  const timeoutMs = parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = parsed.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const filter = toFilter(parsed.filter);

  const post = async (alerts: readonly Alert[], context: DeliveryContext): Promise<DeliveryResult> => {
    const body = JSON.stringify(alerts);
    const results = await Promise.all(
      bases.map((base) =>
        postJson(
          {
            url: `${base}/api/v2/alerts`,
            display: `Alertmanager ${displayUrl(`${base}/api/v2/alerts`, false)}`,
            body,
            headers,
            timeoutMs,
            maxBodyBytes,
            redact,
          },
          context,
        ),
      ),
    );
    return combineResults(results);
  };

  return {
    name: parsed.name ?? type,
    type,
    ...(filter === undefined ? {} : { filter }),
    resendIntervalMs,
    deliver(notification: Notification, context: DeliveryContext) {
      const { ticket, event } = notification;
      const endsAt = Date.now() + ENDS_AT_INTERVALS * resendIntervalMs;
      const alerts = [ticketAlert(ticket, alertOptions, endsAt)];
      // A severity is part of the alert's identity: end the alert under the old one.
      if (event.kind === "severity_changed" && isSeverity(event.from) && event.from !== ticket.severity) {
        const previous = ticketAlert(ticket, alertOptions, endsAt, event.from);
        alerts.push({ ...previous, endsAt: new Date(event.at).toISOString() });
      }
      return post(alerts, context);
    },
    async resend(tickets: readonly Ticket[], context: DeliveryContext) {
      const endsAt = Date.now() + ENDS_AT_INTERVALS * resendIntervalMs;
      const alerts = tickets
        .filter((ticket) => ticket.status !== "resolved")
        .map((ticket) => ticketAlert(ticket, alertOptions, endsAt));
      const results: DeliveryResult[] = [];
      for (let start = 0; start < alerts.length; start += RESEND_BATCH) {
        results.push(await post(alerts.slice(start, start + RESEND_BATCH), context));
      }
      return combineResults(results);
    },
  };
}

const SCHEMA = z.strictObject({
  ...COMMON_FIELDS,
  url: z.union([httpUrl, z.array(httpUrl).min(1)]).optional(),
  urls: z.array(httpUrl).min(1).optional(),
  labels: z
    .record(z.string().regex(LABEL_NAME, "must be a label name ([a-zA-Z_][a-zA-Z0-9_]*)"), z.string().min(1))
    .optional(),
  externalUrl: httpUrl.optional(),
  resendIntervalMs: z
    .number()
    .int()
    .min(1000)
    .max(24 * 3600 * 1000)
    .optional(),
  bearerToken: z.string().optional(),
  bearerTokenFile: z.string().min(1).optional(),
  headers: headersSchema(["content-type", "content-length", "host"]).optional(),
});
