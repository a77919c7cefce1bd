import { afterEach, beforeEach, expect, it } from "vitest";
import { PAGERDUTY_EVENTS_URL, pagerDutyNotifier } from "../src/index.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { context, FIRST_SEEN, makeNotification, makeTicket } from "./helpers/tickets.ts";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver((_request, response) => {
    response.writeHead(202, { "content-type": "application/json" });
    response.end('{"status":"success","message":"Event processed","dedup_key":"x"}');
  });
});
afterEach(async () => {
  await receiver.close();
});

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const notifier = () =>
  pagerDutyNotifier({
    routingKey: ROUTING_KEY,
    url: `${receiver.url}/v2/enqueue`,
    externalUrl: "https://operator.example/t/{ticket_id}",
  });

it("defaults to PagerDuty's Events API v2 URL", () => {
  expect(PAGERDUTY_EVENTS_URL).toBe("https://events.pagerduty.com/v2/enqueue");
});

it("an opened ticket triggers, dedup_key = the ticket key, payload field by field", async () => {
  const ticket = makeTicket({ severity: "warning" });
  const at = FIRST_SEEN + 60_000;
  expect(await notifier().deliver(makeNotification(ticket, { at }, "pagerduty"), context())).toEqual({
    outcome: "delivered",
  });
  const request = receiver.requests[0];
  expect(request?.path).toBe("/v2/enqueue");
  expect(request?.headers["content-type"]).toBe("application/json");
  expect(JSON.parse(request?.body ?? "")).toEqual({
    routing_key: ROUTING_KEY,
    event_action: "trigger",
    dedup_key: "prod-tikv/store_down/store-4",
    client: "Operator",
    client_url: "https://operator.example/t/12",
    payload: {
      summary: "[prod-tikv] store_down on store-4: store 4 (10.0.1.7:20160) is Down for 2m",
      source: "store-4",
      severity: "warning",
      timestamp: new Date(at).toISOString(),
      component: "prod-tikv",
      group: "prod-tikv",
      class: "store_down",
      custom_details: {
        ticket_id: 12,
        key: "prod-tikv/store_down/store-4",
        status: "open",
        event: "opened",
        by: "monitor",
        to: "open",
        first_seen: new Date(FIRST_SEEN).toISOString(),
        occurrences: 3,
        flapping: false,
        held: false,
        values: { state: "Down", downForMs: 120_000 },
      },
    },
  });
});

it("maps severities onto PagerDuty's and a severity change triggers again", async () => {
  for (const severity of ["critical", "warning", "info"] as const) {
    await notifier().deliver(
      makeNotification(makeTicket({ severity }), { kind: "severity_changed", from: "info", to: severity }),
      context(),
    );
  }
  const sent = receiver.requests.map((request) => JSON.parse(request.body));
  expect(sent.map((event) => [event.event_action, event.payload.severity])).toEqual([
    ["trigger", "critical"],
    ["trigger", "warning"],
    ["trigger", "info"],
  ]);
});

it("acknowledged acknowledges and resolved resolves, with the same dedup_key and no payload", async () => {
  const ticket = makeTicket();
  await notifier().deliver(makeNotification(ticket, { kind: "acknowledged", actor: "alice" }), context());
  await notifier().deliver(
    makeNotification({ ...ticket, status: "resolved", resolvedAt: FIRST_SEEN + 1 }, { kind: "resolved" }),
    context(),
  );
  const sent = receiver.requests.map((request) => JSON.parse(request.body));
  expect(sent).toEqual([
    {
      routing_key: ROUTING_KEY,
      event_action: "acknowledge",
      dedup_key: "prod-tikv/store_down/store-4",
      client: "Operator",
      client_url: "https://operator.example/t/12",
    },
    {
      routing_key: ROUTING_KEY,
      event_action: "resolve",
      dedup_key: "prod-tikv/store_down/store-4",
      client: "Operator",
      client_url: "https://operator.example/t/12",
    },
  ]);
});

it.each(["diagnosed", "held", "unheld", "flapping_started", "flapping_stopped"] as const)(
  "%s is delivered without sending anything",
  async (kind) => {
    expect(await notifier().deliver(makeNotification(makeTicket(), { kind }), context())).toEqual({
      outcome: "delivered",
    });
    expect(receiver.requests).toHaveLength(0);
  },
);

it("PagerDuty's 400 (invalid event) fails for good without the routing key; 429 is retried", async () => {
  receiver.handle((request, response) => {
    const key = JSON.parse(request.body).routing_key;
    response
      .writeHead(400)
      .end(`{"status":"invalid event","message":"Event object is invalid","errors":["bad key ${key}"]}`);
  });
  const failed = await notifier().deliver(makeNotification(makeTicket()), context());
  expect(failed.outcome).toBe("failed");
  const reason = failed.outcome === "failed" ? failed.reason : "";
  expect(reason).toContain(`PagerDuty ${receiver.url}/v2/enqueue answered 400: {"status":"invalid event"`);
  expect(reason).toContain("bad key [redacted]");
  expect(reason).not.toContain(ROUTING_KEY);
  receiver.handle((_request, response) => response.writeHead(429).end("{}"));
  expect((await notifier().deliver(makeNotification(makeTicket()), context())).outcome).toBe("retry");
});
