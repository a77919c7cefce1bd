import { afterEach, describe, expect, it } from "vitest";
import { type DemoWebhook, describeWebhookBody, startDemoWebhook } from "../src/demo-webhook.ts";
import type { CliLogger } from "../src/logger.ts";

const running: DemoWebhook[] = [];
afterEach(async () => {
  for (const hook of running.splice(0)) await hook.close();
});

function collectingLogger(lines: string[]): CliLogger {
  const push = (message: string) => lines.push(message);
  return { debug: push, info: push, warn: push, error: push };
}

const payload = (annotations: Record<string, string>, labels: Record<string, string>) =>
  JSON.stringify({ version: "4", alerts: [{ status: "firing", labels, annotations }] });

describe("the demo's webhook receiver", () => {
  it("logs one line per notification: event, severity, key and summary", async () => {
    const lines: string[] = [];
    const hook = await startDemoWebhook(collectingLogger(lines));
    running.push(hook);
    expect(hook.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/notifications$/);
    const body = payload(
      { event: "resolved", key: "demo/store_down/2", summary: "Store 2 is Up" },
      { severity: "critical" },
    );
    const answer = await fetch(hook.url, { method: "POST", body });
    expect(answer.status).toBe(200);
    expect(lines).toEqual(["[demo webhook] resolved critical demo/store_down/2: Store 2 is Up"]);
  });

  it("answers 400 to a body that is not a webhook payload and 413 to one over 256 KiB, logging nothing", async () => {
    const lines: string[] = [];
    const hook = await startDemoWebhook(collectingLogger(lines));
    running.push(hook);
    expect((await fetch(hook.url, { method: "POST", body: "not json" })).status).toBe(400);
    expect((await fetch(hook.url, { method: "POST", body: "{}" })).status).toBe(400);
    const big = payload({ event: "opened", summary: "x".repeat(300 * 1024) }, {});
    expect((await fetch(hook.url, { method: "POST", body: big })).status).toBe(413);
    expect((await fetch(hook.url)).status).toBe(405);
    expect(lines).toEqual([]);
  });

  it("stops listening when closed", async () => {
    const hook = await startDemoWebhook(collectingLogger([]));
    await hook.close();
    await expect(fetch(hook.url, { method: "POST", body: "{}" })).rejects.toThrow();
  });
});

describe("describeWebhookBody", () => {
  it("cuts long fields to 200 characters and shows a missing one as ?", () => {
    const line = describeWebhookBody(payload({ key: "k".repeat(500) }, {}));
    expect(line).toBe(`? ? ${"k".repeat(200)}`);
  });
});
