import { testNotifier } from "@operator/core/testing";
import { alertmanagerNotifier, pagerDutyNotifier, slackNotifier, webhookNotifier } from "../src/index.ts";

/** The body of a request as JSON, or undefined. */
function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Every built-in channel passes the notifier conformance suite of `@operator/core/testing`. */
testNotifier({
  name: "webhook",
  create: (url) => webhookNotifier({ url }),
  idempotencyId: (request) => request.headers["idempotency-key"],
});

testNotifier({
  name: "alertmanager",
  create: (url) => alertmanagerNotifier({ url }),
  // Alertmanager identifies an alert by its label set.
  idempotencyId: (request) => {
    const alerts = json(request.body) as { labels?: unknown }[] | undefined;
    return alerts?.[0]?.labels === undefined ? undefined : JSON.stringify(alerts[0].labels);
  },
});

testNotifier({
  name: "slack",
  create: (url) => slackNotifier({ url }),
  // Slack messages carry no id: the text names the ticket and the change.
  idempotencyId: (request) => (json(request.body) as { text?: string } | undefined)?.text,
});

testNotifier({
  name: "pagerduty",
  create: (url) => pagerDutyNotifier({ url, routingKey: "conformance-routing-key-0001" }),
  idempotencyId: (request) => {
    const event = json(request.body) as { dedup_key?: string; event_action?: string } | undefined;
    return event?.dedup_key === undefined ? undefined : `${event.dedup_key}:${event.event_action}`;
  },
});
