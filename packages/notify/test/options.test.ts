import { isOperatorError } from "@operator/core";
import { describe, expect, it } from "vitest";
import {
  alertmanagerNotifier,
  BUILT_IN_NOTIFIERS,
  createNotifier,
  DEFAULT_RESEND_INTERVAL_MS,
  isBuiltInNotifier,
  pagerDutyNotifier,
  slackNotifier,
  webhookNotifier,
} from "../src/index.ts";

/** The ConfigError a factory throws for `options`. */
function configError(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(isOperatorError(error)).toBe(true);
    expect((error as Error).name).toBe("ConfigError");
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("option errors name the option, never its value", () => {
  it.each([
    [
      "webhook without a url",
      () => webhookNotifier({}),
      "[operator] [notify:webhook] Missing required option `url` (or `urlFile`)",
    ],
    [
      "an unknown option",
      () => webhookNotifier({ url: "http://h", sceret: "x" } as never),
      "[operator] [notify:webhook] Unknown option `sceret`",
    ],
    [
      "an unknown filter field",
      () => slackNotifier({ url: "http://h", filter: { kind: ["opened"] } } as never),
      "[operator] [notify:slack] Unknown option `filter.kind`",
    ],
    [
      "a non-http url",
      () => webhookNotifier({ url: "ftp://h/x" }),
      "[operator] [notify:webhook] Option `url` must be an http:// or https:// URL",
    ],
    [
      "a bad severity in the filter",
      () => webhookNotifier({ url: "http://h", filter: { severities: ["urgent"] } } as never),
      "[operator] [notify:webhook] Option `filter.severities.0`",
    ],
    [
      "a bad event kind in the filter",
      () => webhookNotifier({ url: "http://h", filter: { kinds: ["closed"] } } as never),
      "[operator] [notify:webhook] Option `filter.kinds.0`",
    ],
    [
      "a bad name",
      () => webhookNotifier({ url: "http://h", name: "has space" }),
      "[operator] [notify:webhook] Option `name`",
    ],
    [
      "a timeout of 0",
      () => webhookNotifier({ url: "http://h", timeoutMs: 0 }),
      "[operator] [notify:webhook] Option `timeoutMs`",
    ],
    [
      "secret and secretFile",
      () => webhookNotifier({ url: "http://h", secret: "abcdef", secretFile: "/x" }),
      "[operator] [notify:webhook] Options `secret` and `secretFile` exclude each other",
    ],
    [
      "an empty secret",
      () => webhookNotifier({ url: "http://h", secret: " " }),
      "[operator] [notify:webhook] Option `secret` is empty",
    ],
    [
      "a missing secret file",
      () => webhookNotifier({ url: "http://h", secretFile: "/nonexistent/secret" }),
      '[operator] [notify:webhook] Option `secretFile`: cannot read "/nonexistent/secret" (ENOENT)',
    ],
    [
      "a reserved header",
      () => webhookNotifier({ url: "http://h", headers: { "Idempotency-Key": "x" } }),
      "[operator] [notify:webhook] Option `headers.Idempotency-Key` is set by the channel itself",
    ],
    [
      "Authorization and bearerToken",
      () => webhookNotifier({ url: "http://h", bearerToken: "abcdef", headers: { Authorization: "x" } }),
      "[operator] [notify:webhook] Option `headers` sets Authorization as well as `bearerToken`",
    ],
    [
      "alertmanager without a url",
      () => alertmanagerNotifier({}),
      "[operator] [notify:alertmanager] Missing required option `url` (or `urls`)",
    ],
    [
      "a bad url among several",
      () => alertmanagerNotifier({ urls: ["http://a:9093", "nope"] }),
      "[operator] [notify:alertmanager] Option `urls.1` must be an http:// or https:// URL",
    ],
    [
      "a label replacing the ticket's",
      () => alertmanagerNotifier({ url: "http://a", labels: { severity: "page" } }),
      "[operator] [notify:alertmanager] Option `labels.severity` would replace the ticket's own label",
    ],
    [
      "a bad label name",
      () => alertmanagerNotifier({ url: "http://a", labels: { "team-name": "x" } }),
      "[operator] [notify:alertmanager] Option `labels.team-name` must be a label name",
    ],
    [
      "a resend interval under 1 s",
      () => alertmanagerNotifier({ url: "http://a", resendIntervalMs: 10 }),
      "[operator] [notify:alertmanager] Option `resendIntervalMs`",
    ],
    [
      "pagerduty without a routing key",
      () => pagerDutyNotifier({}),
      "[operator] [notify:pagerduty] Missing required option `routingKey` (or `routingKeyFile`)",
    ],
    [
      "slack without a url",
      () => slackNotifier({}),
      "[operator] [notify:slack] Missing required option `url` (or `urlFile`)",
    ],
    [
      "options that are not an object",
      () => slackNotifier("http://h" as never),
      "[operator] [notify:slack] Options must be an object",
    ],
  ])("%s", (_what, build, expected) => {
    expect(configError(build)).toContain(expected);
  });

  it("a bad value that is a secret is not quoted", () => {
    const message = configError(() => pagerDutyNotifier({ routingKey: 1234567890 as never }));
    expect(message).toContain("Option `routingKey`");
    expect(message).not.toContain("1234567890");
    const url = configError(() => slackNotifier({ url: "hooks.slack.com/services/T/B/very-secret-token" }));
    expect(url).not.toContain("very-secret-token");
  });
});

describe("what a notifier exposes", () => {
  it("name defaults to the type; name and filter are exposed", () => {
    const filter = { severities: ["critical" as const], kinds: ["opened" as const, "resolved" as const] };
    const notifier = webhookNotifier({ url: "http://h", name: "oncall", filter });
    expect(notifier).toMatchObject({ name: "oncall", type: "webhook", filter });
    expect(webhookNotifier({ url: "http://h" })).not.toHaveProperty("filter");
    expect(slackNotifier({ url: "http://h" }).name).toBe("slack");
    expect(pagerDutyNotifier({ routingKey: "abcd" }).name).toBe("pagerduty");
  });

  it("alertmanager exposes its re-send interval (default 60 s) and a resend function", () => {
    const notifier = alertmanagerNotifier({ url: "http://a:9093" });
    expect(notifier.resendIntervalMs).toBe(DEFAULT_RESEND_INTERVAL_MS);
    expect(DEFAULT_RESEND_INTERVAL_MS).toBe(60_000);
    expect(typeof notifier.resend).toBe("function");
    expect(alertmanagerNotifier({ url: "http://a:9093", resendIntervalMs: 5000 }).resendIntervalMs).toBe(
      5000,
    );
  });

  it("createNotifier builds the built-in types by short name and refuses others", () => {
    expect(Object.keys(BUILT_IN_NOTIFIERS).sort()).toEqual(["alertmanager", "pagerduty", "slack", "webhook"]);
    expect(createNotifier("slack", { url: "http://h" }).type).toBe("slack");
    expect(isBuiltInNotifier("toString")).toBe(false);
    expect(configError(() => createNotifier("email", {}))).toBe(
      '[operator] [notify] Unknown notifier type "email" (built in: alertmanager, webhook, slack, pagerduty)',
    );
  });
});
