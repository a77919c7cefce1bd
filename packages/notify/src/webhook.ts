import { createHmac } from "node:crypto";
import { ConfigError, type DeliveryContext, type Notification, type Notifier } from "@operator/core";
import { z } from "zod";
import { LABEL_NAME, ticketAlert } from "./alert.ts";
import { postJson } from "./http.ts";
import {
  COMMON_FIELDS,
  type CommonOptions,
  checkHeaderSecret,
  checkUrl,
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
import { webhookPayload } from "./webhook-payload.ts";

/** Options of the `webhook` channel. */
export interface WebhookOptions extends CommonOptions {
  /** Where to POST (or `urlFile`); its query values are treated as secrets. */
  readonly url?: string;
  /** A file holding the URL, when the URL itself is a secret. */
  readonly urlFile?: string;
  /** Signs each body: `X-Operator-Signature: sha256=<hex HMAC-SHA256 of the body>` (or `secretFile`). */
  readonly secret?: string;
  readonly secretFile?: string;
  /** Sent as `Authorization: Bearer <token>` (or `bearerTokenFile`). */
  readonly bearerToken?: string;
  readonly bearerTokenFile?: string;
  /** Extra request headers (values are treated as secrets). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Template of the ticket's link (`{ticket_id}`, `{key}` replaced): the payload's `externalURL` and `generatorURL`. */
  readonly externalUrl?: string;
  /** Extra labels on every alert. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The header carrying the body's HMAC-SHA256 signature. */
export const SIGNATURE_HEADER = "X-Operator-Signature";

/** The header carrying the notification's id, the same on every retry. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/**
 * The `webhook` channel: POSTs one Alertmanager webhook payload (version 4) per notification, so
 * receivers written for Alertmanager work unchanged. Each request carries `Idempotency-Key` (the
 * notification id) and, with a secret, `X-Operator-Signature: sha256=<hex>` over the exact body.
 */
export function webhookNotifier(options: WebhookOptions): Notifier {
  const type = "webhook";
  const parsed = parseOptions(type, SCHEMA, options);
  const url = checkUrl(
    type,
    parsed.urlFile ? "urlFile" : "url",
    resolveSecret(type, "url", parsed.url, parsed.urlFile, true) as string,
  );
  const secret = resolveSecret(type, "secret", parsed.secret, parsed.secretFile, false);
  const token = checkHeaderSecret(
    type,
    "bearerToken",
    resolveSecret(type, "bearerToken", parsed.bearerToken, parsed.bearerTokenFile, false),
  );
  const extra = parsed.headers ?? {};
  if (token !== undefined && Object.keys(extra).some((name) => name.toLowerCase() === "authorization")) {
    throw new ConfigError(`${prefix(type)} Option \`headers\` sets Authorization as well as \`bearerToken\``);
  }
  const labels = parsed.labels ?? {};
  for (const label of Object.keys(labels)) {
    if (["alertname", "subject", "entity", "severity"].includes(label)) {
      throw new ConfigError(
        `${prefix(type)} Option \`labels.${label}\` would replace the ticket's own label`,
      );
    }
  }
  const pathIsSecret = parsed.urlFile !== undefined;
  const redact = createRedactor([
    ...[secret, token].filter((value): value is string => value !== undefined),
    ...Object.values(extra),
    ...secretsOfUrl(url, pathIsSecret),
  ]);
  const name = parsed.name ?? type;
  const filter = toFilter(parsed.filter);
  const timeoutMs = parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = parsed.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const display = `webhook ${displayUrl(url, pathIsSecret)}`;

  return {
    name,
    type,
    ...(filter === undefined ? {} : { filter }),
    deliver(notification: Notification, context: DeliveryContext) {
      const alert = ticketAlert(notification.ticket, { labels, externalUrl: parsed.externalUrl }, 0);
      const body = JSON.stringify(webhookPayload(notification, alert, name, alert.generatorURL ?? ""));
      const headers: Record<string, string> = { ...extra, [IDEMPOTENCY_HEADER]: notification.id };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (secret !== undefined) headers[SIGNATURE_HEADER] = `sha256=${sign(secret, body)}`;
      return postJson({ url, display, body, headers, timeoutMs, maxBodyBytes, redact }, context);
    },
  };
}

/** The hex HMAC-SHA256 of a body with a secret, as in `X-Operator-Signature: sha256=<hex>`. */
export function sign(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("hex");
}

const SCHEMA = z.strictObject({
  ...COMMON_FIELDS,
  url: httpUrl.optional(),
  urlFile: z.string().min(1).optional(),
  secret: z.string().optional(),
  secretFile: z.string().min(1).optional(),
  bearerToken: z.string().optional(),
  bearerTokenFile: z.string().min(1).optional(),
  headers: headersSchema([
    "content-type",
    "content-length",
    "host",
    "idempotency-key",
    "x-operator-signature",
  ]).optional(),
  externalUrl: httpUrl.optional(),
  labels: z
    .record(z.string().regex(LABEL_NAME, "must be a label name ([a-zA-Z_][a-zA-Z0-9_]*)"), z.string().min(1))
    .optional(),
});
