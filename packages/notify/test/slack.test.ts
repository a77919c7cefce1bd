import { afterEach, beforeEach, expect, it } from "vitest";
import { escapeSlack, slackNotifier } from "../src/index.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { context, makeNotification, makeTicket } from "./helpers/tickets.ts";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

it("posts an incoming-webhook message: text plus blocks with severity, key, message, ticket and change", async () => {
  const notifier = slackNotifier({ url: `${receiver.url}/services/T1/B2/XYZ` });
  const ticket = makeTicket({ status: "acknowledged", acknowledgedBy: "alice" });
  const notification = makeNotification(
    ticket,
    { kind: "acknowledged", actor: "alice", from: "open", to: "acknowledged", comment: "on it" },
    "slack",
  );
  expect(await notifier.deliver(notification, context())).toEqual({ outcome: "delivered" });
  const request = receiver.requests[0];
  expect(request?.path).toBe("/services/T1/B2/XYZ");
  expect(request?.headers["content-type"]).toBe("application/json");
  expect(JSON.parse(request?.body ?? "")).toEqual({
    text: "[CRITICAL] Acknowledged: prod-tikv/store_down/store-4: store 4 (10.0.1.7:20160) is Down for 2m",
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "*[CRITICAL] Acknowledged:* prod-tikv/store_down/store-4\nstore 4 (10.0.1.7:20160) is Down for 2m",
        },
      },
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: "*Severity*\nCRITICAL" },
          { type: "mrkdwn", text: "*Ticket*\n#12 (acknowledged)" },
          { type: "mrkdwn", text: "*Key*\nprod-tikv/store_down/store-4" },
          { type: "mrkdwn", text: "*Event*\nAcknowledged: open → acknowledged" },
          { type: "mrkdwn", text: "*By*\nalice" },
        ],
      },
      { type: "context", elements: [{ type: "mrkdwn", text: "*Comment:* on it" }] },
    ],
  });
});

it("escapes Slack's control characters in every outside text, so nothing becomes a link or mention", async () => {
  const notifier = slackNotifier({ url: receiver.url });
  const hostile = "<!channel> & <https://evil.example|click>";
  const ticket = makeTicket({ message: hostile, entity: "<@U123>" });
  await notifier.deliver(
    makeNotification(ticket, { kind: "diagnosed", actor: "<!here>", from: null, to: null, comment: hostile }),
    context(),
  );
  const body = receiver.requests[0]?.body ?? "";
  const texts = JSON.stringify(JSON.parse(body));
  expect(texts).not.toMatch(/<[!@#]/);
  expect(texts).not.toContain("<https://");
  expect(texts).toContain("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
  expect(texts).toContain("&lt;@U123&gt;");
  expect(texts).toContain("*By*\\n&lt;!here&gt;");
  expect(escapeSlack("a&b<c>d")).toBe("a&amp;b&lt;c&gt;d");
});

it("keeps every block within Slack's limits for a huge message", async () => {
  const notifier = slackNotifier({ url: receiver.url });
  await notifier.deliver(
    makeNotification(makeTicket({ message: "m".repeat(100_000) }), { comment: "c".repeat(10_000) }),
    context(),
  );
  const body = JSON.parse(receiver.requests[0]?.body ?? "");
  expect(body.text.length).toBeLessThanOrEqual(3000);
  expect(body.blocks[0].text.text.length).toBeLessThanOrEqual(3000);
  for (const field of body.blocks[1].fields) expect(field.text.length).toBeLessThanOrEqual(2000);
  expect(body.blocks[2].elements[0].text.length).toBeLessThanOrEqual(3000);
});

it("Slack's own error answers are classified: 404 no_service fails for good, 429 is retried", async () => {
  const notifier = slackNotifier({ url: `${receiver.url}/services/T1/B2/SECRETTOKEN` });
  receiver.handle((_request, response) => response.writeHead(404).end("no_service"));
  const failed = await notifier.deliver(makeNotification(makeTicket()), context());
  expect(failed).toEqual({
    outcome: "failed",
    reason: `Slack webhook ${receiver.url}/[redacted] answered 404: no_service`,
  });
  receiver.handle((_request, response) =>
    response.writeHead(429, { "retry-after": "30" }).end("rate_limited"),
  );
  expect(await notifier.deliver(makeNotification(makeTicket()), context())).toMatchObject({
    outcome: "retry",
    retryAfterMs: 30_000,
  });
});
