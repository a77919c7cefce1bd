import type { Notification } from "@operator/core";
import { type Alert, fingerprint } from "./alert.ts";

/** Alertmanager's "zero time", the `endsAt` of a firing alert in its webhook payloads. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** The labels a webhook payload groups on: one group per violation key. */
export const GROUP_LABELS = ["alertname", "entity", "subject"] as const;

/** Alertmanager's webhook payload, version 4 (`webhook_config` receivers). */
export interface WebhookPayload {
  readonly version: "4";
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: "firing" | "resolved";
  readonly receiver: string;
  readonly groupLabels: Record<string, string>;
  readonly commonLabels: Record<string, string>;
  readonly commonAnnotations: Record<string, string>;
  readonly externalURL: string;
  readonly alerts: readonly {
    readonly status: "firing" | "resolved";
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
    readonly startsAt: string;
    readonly endsAt: string;
    readonly generatorURL: string;
    readonly fingerprint: string;
  }[];
}

/**
 * One notification as Alertmanager's webhook payload: one alert (the ticket's), grouped by its
 * violation key; `endsAt` is the zero time while firing. Annotations add what changed: `event`
 * (the event kind), `event_by`, and `event_from`/`event_to`/`event_comment` when set.
 */
export function webhookPayload(
  notification: Notification,
  alert: Alert,
  receiver: string,
  externalURL: string,
): WebhookPayload {
  const { event } = notification;
  const status = notification.ticket.status === "resolved" ? "resolved" : "firing";
  const labels = { ...alert.labels };
  const annotations: Record<string, string> = {
    ...alert.annotations,
    event: event.kind,
    event_by: event.actor,
  };
  if (event.from !== null) annotations.event_from = event.from;
  if (event.to !== null) annotations.event_to = event.to;
  if (event.comment !== null) annotations.event_comment = event.comment;
  const groupLabels = Object.fromEntries(GROUP_LABELS.map((name) => [name, labels[name] ?? ""]));
  return {
    version: "4",
    groupKey: `{}:{${GROUP_LABELS.map((name) => `${name}=${JSON.stringify(labels[name] ?? "")}`).join(", ")}}`,
    truncatedAlerts: 0,
    status,
    receiver,
    groupLabels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL,
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: alert.startsAt,
        endsAt: status === "resolved" ? alert.endsAt : ZERO_TIME,
        generatorURL: alert.generatorURL ?? "",
        fingerprint: fingerprint(labels),
      },
    ],
  };
}
