/**
 * Operator's built-in notification channels. Each is a `NotifierFactory` from `@operator/core`:
 * options in (validated, secrets redacted everywhere), `Notifier` out.
 */
export type { Alert, AlertOptions } from "./alert.ts";
export { fingerprint } from "./alert.ts";
export type { AlertmanagerOptions } from "./alertmanager.ts";
export { alertmanagerNotifier, DEFAULT_RESEND_INTERVAL_MS, ENDS_AT_INTERVALS } from "./alertmanager.ts";
export { MAX_REDIRECTS, MAX_RETRY_AFTER_MS } from "./http.ts";
export type { CommonOptions } from "./options.ts";
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS } from "./options.ts";
export type { PagerDutyEvent, PagerDutyOptions } from "./pagerduty.ts";
export { PAGERDUTY_ACTIONS, PAGERDUTY_EVENTS_URL, pagerDutyEvent, pagerDutyNotifier } from "./pagerduty.ts";
export { REDACTED } from "./redact.ts";
export type { BuiltInNotifierType } from "./registry.ts";
export { BUILT_IN_NOTIFIERS, createNotifier, isBuiltInNotifier } from "./registry.ts";
export type { SlackMessage, SlackOptions } from "./slack.ts";
export { escapeSlack, slackMessage, slackNotifier } from "./slack.ts";
export type { WebhookOptions } from "./webhook.ts";
export { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign, webhookNotifier } from "./webhook.ts";
export type { WebhookPayload } from "./webhook-payload.ts";
export { webhookPayload } from "./webhook-payload.ts";
