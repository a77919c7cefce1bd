import type { Ticket } from "@operator/core";
import { closedPort } from "@operator/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertmanagerNotifier, ENDS_AT_INTERVALS } from "../src/index.ts";
import { answer, type Receiver, startReceiver } from "./helpers/receiver.ts";
import { context, FIRST_SEEN, makeNotification, makeTicket } from "./helpers/tickets.ts";

let first: Receiver;
let second: Receiver;
beforeEach(async () => {
  first = await startReceiver();
  second = await startReceiver();
});
afterEach(async () => {
  await first.close();
  await second.close();
});

const alertsOf = (receiver: Receiver, index = 0) => JSON.parse(receiver.requests[index]?.body ?? "[]");

describe("alertmanager channel against a local receiver", () => {
  it("posts one alert per ticket to /api/v2/alerts, field by field, ending 4 re-send intervals ahead", async () => {
    const notifier = alertmanagerNotifier({
      url: `${first.url}/`,
      labels: { team: "storage" },
      externalUrl: "https://operator.example/tickets/{ticket_id}?key={key}",
      resendIntervalMs: 30_000,
    });
    const before = Date.now();
    expect(await notifier.deliver(makeNotification(makeTicket(), {}, "alertmanager"), context())).toEqual({
      outcome: "delivered",
    });
    const after = Date.now();
    expect(first.requests[0]?.method).toBe("POST");
    expect(first.requests[0]?.path).toBe("/api/v2/alerts");
    expect(first.requests[0]?.headers["content-type"]).toBe("application/json");
    const alerts = alertsOf(first);
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert).toEqual({
      labels: {
        team: "storage",
        alertname: "store_down",
        subject: "prod-tikv",
        entity: "store-4",
        severity: "critical",
      },
      annotations: {
        summary: "store 4 (10.0.1.7:20160) is Down for 2m",
        ticket_id: "12",
        key: "prod-tikv/store_down/store-4",
      },
      startsAt: new Date(FIRST_SEEN).toISOString(),
      endsAt: expect.any(String),
      generatorURL: "https://operator.example/tickets/12?key=prod-tikv%2Fstore_down%2Fstore-4",
    });
    const endsAt = Date.parse(alert.endsAt);
    expect(endsAt).toBeGreaterThanOrEqual(before + ENDS_AT_INTERVALS * 30_000);
    expect(endsAt).toBeLessThanOrEqual(after + ENDS_AT_INTERVALS * 30_000);
  });

  it("a resolved ticket's alert ends at its resolve time; no generatorURL without externalUrl", async () => {
    const notifier = alertmanagerNotifier({ url: first.url });
    const resolvedAt = FIRST_SEEN + 900_000;
    const ticket = makeTicket({ status: "resolved", resolvedAt });
    await notifier.deliver(makeNotification(ticket, { kind: "resolved", at: resolvedAt }), context());
    const [alert] = alertsOf(first);
    expect(alert.endsAt).toBe(new Date(resolvedAt).toISOString());
    expect(alert).not.toHaveProperty("generatorURL");
  });

  it("a severity change also ends the alert under the old severity (a label, so another alert)", async () => {
    const notifier = alertmanagerNotifier({ url: first.url });
    const at = FIRST_SEEN + 300_000;
    const ticket = makeTicket({ severity: "critical" });
    await notifier.deliver(
      makeNotification(ticket, { kind: "severity_changed", from: "warning", to: "critical", at }),
      context(),
    );
    const alerts = alertsOf(first);
    expect(alerts.map((alert: { labels: { severity: string } }) => alert.labels.severity)).toEqual([
      "critical",
      "warning",
    ]);
    expect(alerts[1].endsAt).toBe(new Date(at).toISOString());
    expect(Date.parse(alerts[0].endsAt)).toBeGreaterThan(Date.now());
  });

  it("an HA pair: each URL gets every alert; delivered only when every one accepted", async () => {
    const notifier = alertmanagerNotifier({ urls: [first.url, second.url] });
    const notification = makeNotification(makeTicket());
    expect(await notifier.deliver(notification, context())).toEqual({ outcome: "delivered" });
    expect(first.requests[0]?.body).toBe(second.requests[0]?.body);

    second.handle(answer(503, "not ready", { "retry-after": "5" }));
    expect(await notifier.deliver(notification, context())).toEqual({
      outcome: "retry",
      reason: `Alertmanager ${second.url}/api/v2/alerts answered 503: not ready`,
      retryAfterMs: 5000,
    });

    second.handle(answer(400, "bad alert"));
    expect(await notifier.deliver(notification, context())).toEqual({
      outcome: "failed",
      reason: `Alertmanager ${second.url}/api/v2/alerts answered 400: bad alert`,
    });

    first.handle(answer(500, "down"));
    expect(await notifier.deliver(notification, context())).toMatchObject({ outcome: "retry" });
  });

  it("one Alertmanager of the pair unreachable: retry, the other still got it", async () => {
    const port = await closedPort();
    const notifier = alertmanagerNotifier({ urls: [first.url, `http://127.0.0.1:${port}`] });
    const result = await notifier.deliver(makeNotification(makeTicket()), context());
    expect(result).toEqual({
      outcome: "retry",
      reason: `Alertmanager http://127.0.0.1:${port}/api/v2/alerts: connection failed (ECONNREFUSED)`,
    });
    expect(first.requests).toHaveLength(1);
  });

  it("resend posts every unresolved ticket's alert, in batches, to every URL", async () => {
    const notifier = alertmanagerNotifier({ urls: [first.url, second.url], resendIntervalMs: 10_000 });
    const tickets: Ticket[] = [];
    for (let id = 1; id <= 1203; id += 1) {
      tickets.push(
        makeTicket({
          id,
          entity: `store-${id}`,
          key: `prod-tikv/store_down/store-${id}`,
          ...(id % 3 === 0 ? { status: "resolved", resolvedAt: FIRST_SEEN + 1 } : {}),
        }),
      );
    }
    expect(await notifier.resend?.(tickets, context(20_000))).toEqual({ outcome: "delivered" });
    for (const receiver of [first, second]) {
      const sent = receiver.requests.flatMap((request) => JSON.parse(request.body));
      expect(receiver.requests.length).toBe(2);
      expect(sent).toHaveLength(802);
      expect(
        new Set(sent.map((alert: { annotations: { ticket_id: string } }) => alert.annotations.ticket_id))
          .size,
      ).toBe(802);
      expect(
        sent.every(
          (alert: { annotations: { ticket_id: string } }) => Number(alert.annotations.ticket_id) % 3 !== 0,
        ),
      ).toBe(true);
      expect(sent.every((alert: { endsAt: string }) => Date.parse(alert.endsAt) > Date.now() + 30_000)).toBe(
        true,
      );
    }
  });
});

it("cuts a huge message in the summary annotation", async () => {
  const receiver = await startReceiver();
  try {
    await alertmanagerNotifier({ url: receiver.url }).deliver(
      makeNotification(makeTicket({ message: "m".repeat(50_000) })),
      context(),
    );
    const [alert] = JSON.parse(receiver.requests[0]?.body ?? "[]");
    expect(alert.annotations.summary).toHaveLength(4096);
    expect(alert.annotations.summary.endsWith("…")).toBe(true);
  } finally {
    await receiver.close();
  }
});
