import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fingerprint, webhookNotifier } from "../src/index.ts";
import { answer, type Receiver, startReceiver } from "./helpers/receiver.ts";
import { context, FIRST_SEEN, makeNotification, makeTicket } from "./helpers/tickets.ts";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe("webhook payload (Alertmanager webhook format, version 4)", () => {
  it("sends an opened ticket as one firing alert, field by field", async () => {
    const notifier = webhookNotifier({
      url: `${receiver.url}/hook`,
      name: "ops-hook",
      externalUrl: "https://operator.example/tickets/{ticket_id}",
      labels: { team: "storage" },
    });
    const ticket = makeTicket();
    const result = await notifier.deliver(makeNotification(ticket, {}, "ops-hook"), context());
    expect(result).toEqual({ outcome: "delivered" });
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/hook");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["idempotency-key"]).toBe("ops-hook:101");
    expect(request?.headers["x-operator-signature"]).toBeUndefined();
    const labels = {
      team: "storage",
      alertname: "store_down",
      subject: "prod-tikv",
      entity: "store-4",
      severity: "critical",
    };
    const annotations = {
      summary: "store 4 (10.0.1.7:20160) is Down for 2m",
      ticket_id: "12",
      key: "prod-tikv/store_down/store-4",
      event: "opened",
      event_by: "monitor",
      event_to: "open",
    };
    expect(JSON.parse(request?.body ?? "")).toEqual({
      version: "4",
      groupKey: '{}:{alertname="store_down", entity="store-4", subject="prod-tikv"}',
      truncatedAlerts: 0,
      status: "firing",
      receiver: "ops-hook",
      groupLabels: { alertname: "store_down", entity: "store-4", subject: "prod-tikv" },
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: "https://operator.example/tickets/12",
      alerts: [
        {
          status: "firing",
          labels,
          annotations,
          startsAt: new Date(FIRST_SEEN).toISOString(),
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "https://operator.example/tickets/12",
          fingerprint: fingerprint(labels),
        },
      ],
    });
  });

  it("sends a resolved ticket as resolved with endsAt = the resolve time and the reason", async () => {
    const notifier = webhookNotifier({ url: receiver.url });
    const resolvedAt = FIRST_SEEN + 600_000;
    const ticket = makeTicket({ status: "resolved", resolvedAt, resolvedBy: "monitor" });
    const notification = makeNotification(ticket, {
      id: 140,
      kind: "resolved",
      at: resolvedAt,
      from: "open",
      to: "resolved",
      comment: "cleared for 3 cycles",
    });
    expect(await notifier.deliver(notification, context())).toEqual({ outcome: "delivered" });
    const body = JSON.parse(receiver.requests[0]?.body ?? "");
    expect(body.status).toBe("resolved");
    expect(body.receiver).toBe("webhook");
    expect(body.externalURL).toBe("");
    expect(body.alerts[0].status).toBe("resolved");
    expect(body.alerts[0].endsAt).toBe(new Date(resolvedAt).toISOString());
    expect(body.alerts[0].generatorURL).toBe("");
    expect(body.alerts[0].annotations).toMatchObject({
      event: "resolved",
      event_from: "open",
      event_to: "resolved",
      event_comment: "cleared for 3 cycles",
    });
    expect(receiver.requests[0]?.headers["idempotency-key"]).toBe("webhook:140");
  });

  it("signs the exact body with HMAC-SHA256 of the secret, and sends the bearer token and headers", async () => {
    const secret = "whsec-0123456789abcdef";
    const notifier = webhookNotifier({
      url: receiver.url,
      secret,
      bearerToken: "tok-abcdefghijkl",
      headers: { "X-Tenant": "storage" },
    });
    await notifier.deliver(makeNotification(makeTicket({ message: "ünïcode ✓ <b>" })), context());
    const request = receiver.requests[0];
    const expected = createHmac("sha256", secret)
      .update(Buffer.from(request?.body ?? "", "utf8"))
      .digest("hex");
    expect(request?.headers["x-operator-signature"]).toBe(`sha256=${expected}`);
    expect(request?.headers.authorization).toBe("Bearer tok-abcdefghijkl");
    expect(request?.headers["x-tenant"]).toBe("storage");
    const other = createHmac("sha256", "another-secret")
      .update(request?.body ?? "")
      .digest("hex");
    expect(request?.headers["x-operator-signature"]).not.toBe(`sha256=${other}`);
  });

  it("sends the body with its byte length and asks for an uncompressed answer", async () => {
    const notifier = webhookNotifier({ url: `${receiver.url}/hook` });
    const ticket = makeTicket({ message: "store 4 (zone café, 東京) is Down" });
    expect(await notifier.deliver(makeNotification(ticket), context())).toEqual({ outcome: "delivered" });
    const request = receiver.requests[0];
    expect(request?.headers["content-length"]).toBe(String(Buffer.byteLength(request?.body ?? "")));
    expect(request?.headers["transfer-encoding"]).toBeUndefined();
    expect(request?.headers["accept-encoding"]).toBe("identity");
    expect(JSON.parse(request?.body ?? "").commonAnnotations.summary).toBe(
      "store 4 (zone café, 東京) is Down",
    );
  });

  it("keeps the Idempotency-Key of an event across retries, and changes it for another event", async () => {
    receiver.handle(answer(503, "busy"));
    const notifier = webhookNotifier({ url: receiver.url, secret: "s3cret-value" });
    const ticket = makeTicket();
    const first = await notifier.deliver(makeNotification(ticket, { id: 7 }, "webhook", 1), context());
    expect(first.outcome).toBe("retry");
    receiver.handle(answer(200));
    const second = await notifier.deliver(makeNotification(ticket, { id: 7 }, "webhook", 2), context());
    expect(second.outcome).toBe("delivered");
    await notifier.deliver(makeNotification(ticket, { id: 8, kind: "acknowledged" }), context());
    const keys = receiver.requests.map((request) => request.headers["idempotency-key"]);
    expect(keys).toEqual(["webhook:7", "webhook:7", "webhook:8"]);
    const signatures = receiver.requests.map((request) => request.headers["x-operator-signature"]);
    expect(signatures[0]).toBe(signatures[1]);
  });
});
