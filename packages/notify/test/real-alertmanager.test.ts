import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertmanagerNotifier, fingerprint, webhookNotifier } from "../src/index.ts";
import {
  eventually,
  findAlertmanager,
  listAlerts,
  type RunningAlertmanager,
  startAlertmanager,
} from "./helpers/alertmanager.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { context, FIRST_SEEN, makeNotification, makeTicket } from "./helpers/tickets.ts";

/** A webhook payload Alertmanager posted to its receiver. */
interface AmPayload {
  version: string;
  groupKey: string;
  status: string;
  receiver: string;
  alerts: { status: string; labels: Record<string, string>; fingerprint: string; endsAt: string }[];
}

let hook: Receiver;
let alertmanager: RunningAlertmanager;
beforeAll(async () => {
  hook = await startReceiver();
  alertmanager = await startAlertmanager({ webhookUrl: `${hook.url}/am` });
});
afterAll(async () => {
  await alertmanager?.stop();
  await hook?.close();
});

const payloads = () => hook.requests.map((request) => JSON.parse(request.body) as AmPayload);
const sentFor = (entity: string, status: string) =>
  payloads().find(
    (payload) => payload.status === status && payload.alerts.some((alert) => alert.labels.entity === entity),
  );

describe("a real Alertmanager 0.25", () => {
  it("an opened ticket's alert is listed with its labels and reaches a receiver through a route; the resolve arrives", async () => {
    const notifier = alertmanagerNotifier({
      url: alertmanager.url,
      labels: { team: "storage" },
      externalUrl: "http://operator.example/tickets/{ticket_id}",
    });
    const ticket = makeTicket({
      entity: "store-1",
      key: "prod-tikv/store_down/store-1",
      firstSeenAt: Date.now() - 60_000,
      runbook: { hint: "Check tikv-server on the store's host", url: "https://runbooks.example/store_down" },
    });
    expect(await notifier.deliver(makeNotification(ticket, {}, "alertmanager"), context())).toEqual({
      outcome: "delivered",
    });
    const labels = {
      team: "storage",
      alertname: "store_down",
      subject: "prod-tikv",
      entity: "store-1",
      severity: "critical",
    };
    const listed = await eventually("the alert in GET /api/v2/alerts", async () =>
      (await listAlerts(alertmanager.url)).find((alert) => alert.labels.entity === "store-1"),
    );
    expect(listed.labels).toEqual(labels);
    expect(listed.annotations).toEqual({
      summary: "store 4 (10.0.1.7:20160) is Down for 2m",
      ticket_id: "12",
      key: "prod-tikv/store_down/store-1",
      runbook: "Check tikv-server on the store's host",
      runbook_url: "https://runbooks.example/store_down",
    });
    expect(Date.parse(listed.startsAt)).toBe(ticket.firstSeenAt);
    expect(listed.generatorURL).toBe("http://operator.example/tickets/12");
    expect(listed.status.state).toBe("active");
    expect(listed.fingerprint).toBe(fingerprint(labels));

    const firing = await eventually("the firing notification at the receiver", () =>
      sentFor("store-1", "firing"),
    );
    expect(firing.version).toBe("4");
    expect(firing.receiver).toBe("hook");
    expect(firing.alerts[0]?.labels).toEqual(labels);
    expect(firing.alerts[0]?.fingerprint).toBe(fingerprint(labels));

    const resolvedAt = Date.now() - 1000;
    const resolved = { ...ticket, status: "resolved" as const, resolvedAt, resolvedBy: "monitor" };
    expect(
      await notifier.deliver(
        makeNotification(resolved, { id: 102, kind: "resolved", at: resolvedAt }),
        context(),
      ),
    ).toEqual({
      outcome: "delivered",
    });
    const done = await eventually("the resolved notification at the receiver", () =>
      sentFor("store-1", "resolved"),
    );
    expect(done.alerts[0]?.status).toBe("resolved");
    expect(Date.parse(done.alerts[0]?.endsAt ?? "")).toBe(resolvedAt);
  }, 60_000);

  it("after an Alertmanager restart with empty storage, resend brings the open ticket's alert back", async () => {
    const notifier = alertmanagerNotifier({ url: alertmanager.url, resendIntervalMs: 5000 });
    const open = makeTicket({
      id: 20,
      entity: "store-2",
      key: "prod-tikv/store_down/store-2",
      firstSeenAt: FIRST_SEEN,
    });
    const closed = makeTicket({
      id: 21,
      entity: "store-3",
      key: "prod-tikv/store_down/store-3",
      status: "resolved",
      resolvedAt: Date.now() - 5000,
    });
    expect(await notifier.deliver(makeNotification(open), context())).toEqual({ outcome: "delivered" });
    await eventually("store-2 listed", async () =>
      (await listAlerts(alertmanager.url)).find((alert) => alert.labels.entity === "store-2"),
    );

    const { port } = alertmanager;
    await alertmanager.stop();
    hook.requests.length = 0;
    alertmanager = await startAlertmanager({ webhookUrl: `${hook.url}/am`, port });
    expect((await listAlerts(alertmanager.url)).some((alert) => alert.labels.entity === "store-2")).toBe(
      false,
    );

    expect(await notifier.resend?.([open, closed], context())).toEqual({ outcome: "delivered" });
    const back = await eventually("store-2 listed again", async () =>
      (await listAlerts(alertmanager.url)).find((alert) => alert.labels.entity === "store-2"),
    );
    expect(back.status.state).toBe("active");
    expect(Date.parse(back.endsAt)).toBeGreaterThan(Date.now() + 15_000);
    expect((await listAlerts(alertmanager.url)).some((alert) => alert.labels.entity === "store-3")).toBe(
      false,
    );
    await eventually("store-2 notified again by the new process", () => sentFor("store-2", "firing"));
  }, 90_000);
});

describe("Operator's webhook payload against the one a real Alertmanager sends", () => {
  it("has the same fields, groupKey and fingerprint as Alertmanager's own webhook payload", async () => {
    const ticket = makeTicket({
      id: 30,
      entity: "store-9",
      key: "prod-tikv/store_down/store-9",
      firstSeenAt: Date.now() - 1000,
    });
    await alertmanagerNotifier({ url: alertmanager.url }).deliver(makeNotification(ticket), context());
    const theirs = await eventually("Alertmanager's payload for store-9", () => sentFor("store-9", "firing"));
    const mine = await startReceiver();
    try {
      await webhookNotifier({ url: mine.url, name: "hook" }).deliver(makeNotification(ticket), context());
      const ours = JSON.parse(mine.requests[0]?.body ?? "{}");
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      expect(Object.keys(ours.alerts[0]).sort()).toEqual(Object.keys(theirs.alerts[0] ?? {}).sort());
      expect(ours.groupKey).toBe(theirs.groupKey);
      expect(ours.alerts[0].fingerprint).toBe(theirs.alerts[0]?.fingerprint);
      expect(ours.alerts[0].labels).toEqual(theirs.alerts[0]?.labels);
      expect(ours.alerts[0].endsAt).toBe(theirs.alerts[0]?.endsAt);
      expect(ours.version).toBe(theirs.version);
    } finally {
      await mine.close();
    }
  }, 60_000);
});

describe("without Alertmanager installed", () => {
  it("the harness fails saying how to install it", () => {
    expect(() => findAlertmanager("/nonexistent")).toThrow(
      "Alertmanager is not installed (no prometheus-alertmanager or alertmanager on PATH): `./dev test` installs it",
    );
  });
});
