import { expect, it } from "vitest";
import * as api from "../src/index.ts";

it("exposes exactly the documented runtime surface", () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      "BUILT_IN_NOTIFIERS",
      "DEFAULT_MAX_BODY_BYTES",
      "DEFAULT_RESEND_INTERVAL_MS",
      "DEFAULT_TIMEOUT_MS",
      "ENDS_AT_INTERVALS",
      "IDEMPOTENCY_HEADER",
      "MAX_REDIRECTS",
      "MAX_RETRY_AFTER_MS",
      "PAGERDUTY_ACTIONS",
      "PAGERDUTY_EVENTS_URL",
      "REDACTED",
      "SIGNATURE_HEADER",
      "alertmanagerNotifier",
      "createNotifier",
      "escapeSlack",
      "fingerprint",
      "isBuiltInNotifier",
      "pagerDutyEvent",
      "pagerDutyNotifier",
      "sign",
      "slackMessage",
      "slackNotifier",
      "webhookNotifier",
      "webhookPayload",
    ].sort(),
  );
  expect(api.BUILT_IN_NOTIFIERS.webhook).toBe(api.webhookNotifier);
});
