import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Environment,
  isUnresolved,
  listAlertmanagerAlerts,
  runCleanups,
  startAlertmanager,
  startAlertmanagerReceiver,
  startEnvironment,
  waitFor,
  waitForAllPassing,
} from "../src/index.ts";

const SUBJECT = "notify";

/**
 * The real daemon notifies a real Alertmanager (0.25, `prometheus-alertmanager`), which routes
 * Operator's alerts by their `subject` and `severity` labels to a local webhook receiver.
 */
describe("notifications through a real Alertmanager", () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment({ stores: 3 });
  });
  afterAll(runCleanups);

  it("a stopped store's alert is in Alertmanager and reaches the receiver; its return sends the resolve", async () => {
    const receiver = await startAlertmanagerReceiver();
    const alertmanager = await startAlertmanager({ webhookUrl: receiver.url, subject: SUBJECT });
    const run = await env.startMonitor({
      subject: SUBJECT,
      settings: { notify: [{ type: "alertmanager", name: "am", url: alertmanager.url }] },
    });
    await waitForAllPassing(run);
    await env.cluster.stopStore(2);
    const ticket = await run.waitForTicket(
      (t) => t.key === `${SUBJECT}/store_down/2` && isUnresolved(t),
      "a store_down ticket for store 2",
    );
    const expected = { alertname: "store_down", subject: SUBJECT, entity: "2", severity: ticket.severity };

    const listed = await waitFor(
      async () =>
        (await listAlertmanagerAlerts(alertmanager.url)).find((a) => a.labels.alertname === "store_down"),
      { timeoutMs: 30_000, description: "the store_down alert in Alertmanager" },
    );
    expect(listed.labels).toMatchObject(expected);
    expect(listed.status.state).toBe("active");
    expect(listed.annotations.key).toBe(`${SUBJECT}/store_down/2`);
    const firing = await waitFor(
      () =>
        receiver.payloads.find(
          (p) => p.status === "firing" && p.alerts.some((a) => a.labels.alertname === "store_down"),
        ),
      { timeoutMs: 30_000, description: "the firing notification at the receiver" },
    );
    expect(firing.alerts[0]?.labels).toMatchObject(expected);

    await env.cluster.startStore(2);
    await run.waitForTicket((t) => t.id === ticket.id && t.status === "resolved", "the ticket to resolve");
    const resolved = await waitFor(
      () =>
        receiver.payloads.find(
          (p) => p.status === "resolved" && p.alerts.some((a) => a.labels.alertname === "store_down"),
        ),
      { timeoutMs: 30_000, description: "the resolved notification at the receiver" },
    );
    expect(resolved.alerts[0]?.labels).toMatchObject(expected);
    expect(resolved.alerts[0]?.status).toBe("resolved");
  });
});
