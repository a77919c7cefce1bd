import type { Ticket } from "@operator/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertmanagerNotifier, pagerDutyNotifier, slackNotifier, webhookNotifier } from "../src/index.ts";
import { answer, type Receiver, startReceiver } from "./helpers/receiver.ts";
import { context, makeNotification, makeTicket } from "./helpers/tickets.ts";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const HINT = "Check the tikv-server process & disk on <the store's host>";
const URL_ = "https://runbooks.example/tikv/store_down?team=storage&x=1";
const withRunbook = (runbook: Ticket["runbook"] = { hint: HINT, url: URL_ }) => makeTicket({ runbook });
const bodyOf = (index = 0) => JSON.parse(receiver.requests[index]?.body ?? "null");

describe("every channel carries the ticket's runbook hint", () => {
  it("alertmanager: the `runbook` and `runbook_url` annotations; none without a runbook", async () => {
    const notifier = alertmanagerNotifier({ url: receiver.url });
    await notifier.deliver(makeNotification(withRunbook(), {}, "alertmanager"), context());
    await notifier.deliver(makeNotification(withRunbook({ hint: HINT }), {}, "alertmanager"), context());
    await notifier.deliver(makeNotification(makeTicket(), {}, "alertmanager"), context());
    expect(bodyOf(0)[0].annotations).toMatchObject({ runbook: HINT, runbook_url: URL_ });
    expect(bodyOf(1)[0].annotations.runbook).toBe(HINT);
    expect(bodyOf(1)[0].annotations).not.toHaveProperty("runbook_url");
    expect(bodyOf(2)[0].annotations).not.toHaveProperty("runbook");
    expect(bodyOf(2)[0].annotations).not.toHaveProperty("runbook_url");
  });

  it("alertmanager: a huge hint is cut, never sent whole", async () => {
    const notifier = alertmanagerNotifier({ url: receiver.url });
    const ticket = withRunbook({
      hint: "x".repeat(50_000),
      url: `https://runbooks.example/${"y".repeat(5000)}`,
    });
    await notifier.deliver(makeNotification(ticket, {}, "alertmanager"), context());
    const { annotations } = bodyOf()[0];
    expect(annotations.runbook).toHaveLength(1024);
    expect(annotations.runbook_url).toHaveLength(1024);
  });

  it("webhook: the alert's and the common annotations carry it", async () => {
    const notifier = webhookNotifier({ url: `${receiver.url}/hook` });
    await notifier.deliver(makeNotification(withRunbook(), {}, "webhook"), context());
    const payload = bodyOf();
    expect(payload.alerts[0].annotations).toMatchObject({ runbook: HINT, runbook_url: URL_ });
    expect(payload.commonAnnotations).toMatchObject({ runbook: HINT, runbook_url: URL_ });
  });

  it("slack: a `Check first:` context block, escaped, with the URL; none without a runbook", async () => {
    const notifier = slackNotifier({ url: `${receiver.url}/services/T1/B2/XYZ` });
    await notifier.deliver(makeNotification(withRunbook(), {}, "slack"), context());
    await notifier.deliver(makeNotification(makeTicket(), {}, "slack"), context());
    expect(bodyOf(0).blocks).toContainEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "*Check first:* Check the tikv-server process &amp; disk on &lt;the store's host&gt;\nhttps://runbooks.example/tikv/store_down?team=storage&amp;x=1",
        },
      ],
    });
    expect(JSON.stringify(bodyOf(1).blocks)).not.toContain("Check first");
  });

  it("pagerduty: `runbook` in custom_details and the URL as a link on a trigger; not on a resolve", async () => {
    receiver.handle(answer(202, '{"status":"success"}'));
    const notifier = pagerDutyNotifier({ routingKey: "R0123456789abcdef0123456789abcde", url: receiver.url });
    await notifier.deliver(makeNotification(withRunbook(), {}, "pagerduty"), context());
    const resolved = withRunbook();
    await notifier.deliver(
      makeNotification({ ...resolved, status: "resolved", resolvedAt: 1 }, { kind: "resolved" }, "pagerduty"),
      context(),
    );
    const trigger = bodyOf(0);
    expect(trigger.links).toEqual([{ href: URL_, text: "Runbook" }]);
    expect(trigger.payload.custom_details.runbook).toBe(HINT);
    expect(bodyOf(1)).not.toHaveProperty("links");
    expect(bodyOf(1)).not.toHaveProperty("payload");
  });
});
