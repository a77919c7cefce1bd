import { ConfigError, type Notifier, type NotifierFactory } from "@operator/core";
import { type AlertmanagerOptions, alertmanagerNotifier } from "./alertmanager.ts";
import { type PagerDutyOptions, pagerDutyNotifier } from "./pagerduty.ts";
import { type SlackOptions, slackNotifier } from "./slack.ts";
import { type WebhookOptions, webhookNotifier } from "./webhook.ts";

/** The built-in channel types, by the short name used in configuration (`"type": "webhook"`). */
export const BUILT_IN_NOTIFIERS: Readonly<{
  alertmanager: NotifierFactory<AlertmanagerOptions>;
  webhook: NotifierFactory<WebhookOptions>;
  slack: NotifierFactory<SlackOptions>;
  pagerduty: NotifierFactory<PagerDutyOptions>;
}> = Object.freeze({
  alertmanager: alertmanagerNotifier,
  webhook: webhookNotifier,
  slack: slackNotifier,
  pagerduty: pagerDutyNotifier,
});

/** A built-in channel type's short name. */
export type BuiltInNotifierType = keyof typeof BUILT_IN_NOTIFIERS;

/** True when `type` names a built-in channel. */
export function isBuiltInNotifier(type: string): type is BuiltInNotifierType {
  return Object.hasOwn(BUILT_IN_NOTIFIERS, type);
}

/**
 * Builds a built-in channel from its short name and options (the config entry without `type`).
 * Throws a ConfigError for an unknown type or bad options.
 */
export function createNotifier(type: string, options: unknown): Notifier {
  if (!isBuiltInNotifier(type)) {
    throw new ConfigError(
      `[notify] Unknown notifier type ${JSON.stringify(type.slice(0, 100))} (built in: ${Object.keys(BUILT_IN_NOTIFIERS).join(", ")})`,
    );
  }
  return (BUILT_IN_NOTIFIERS[type] as (options: unknown) => Notifier)(options);
}
