import { expect, it } from "vitest";
import type { DeliveryContext, DeliveryResult, Notifier } from "../src/notifier.ts";
import { sampleNotification, testNotifier } from "../src/testing/index.ts";
import type { Ticket } from "../src/ticket.ts";

/** A small, well-behaved webhook notifier (test-only: core itself has no HTTP client). */
function hookNotifier(url: string, withResend: boolean): Notifier {
  const post = async (body: unknown, key: string, context: DeliveryContext): Promise<DeliveryResult> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify(body),
        signal: context.signal,
      });
      await response.arrayBuffer();
    } catch (error) {
      return { outcome: "retry", reason: (error as Error).message };
    }
    if (response.ok) return { outcome: "delivered" };
    const reason = `HTTP ${response.status}`;
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      const after = Number(response.headers.get("retry-after"));
      return after > 0
        ? { outcome: "retry", reason, retryAfterMs: after * 1000 }
        : { outcome: "retry", reason };
    }
    return { outcome: "failed", reason };
  };
  const notifier: Notifier = {
    name: "hook",
    type: "test-hook",
    deliver: (notification, context) =>
      post({ event: notification.event, ticket: notification.ticket }, notification.id, context),
  };
  if (!withResend) return notifier;
  return {
    ...notifier,
    resendIntervalMs: 60_000,
    resend: (tickets: readonly Ticket[], context) =>
      post({ tickets }, `resend:${tickets.map((t) => t.id).join(",")}`, context),
  };
}

testNotifier({
  name: "hook",
  create: (url) => hookNotifier(url, false),
  idempotencyId: (request) => request.headers["idempotency-key"],
  additionalTests: ({ receiver, notifier }) => {
    it("the receiver keeps what it got: method, path, headers and body", async () => {
      const hook = await notifier();
      await hook.deliver(sampleNotification({ channel: hook.name }), {
        signal: new AbortController().signal,
        deadline: Date.now() + 5000,
      });
      const [request] = receiver().requests;
      expect(request?.method).toBe("POST");
      expect(request?.headers["idempotency-key"]).toBe("hook:42");
      expect(JSON.parse(request?.body ?? "{}").ticket.key).toBe("tikv/store_down/1");
    });
  },
});

testNotifier({
  name: "hook with resend",
  create: (url) => hookNotifier(url, true),
  idempotencyId: (request) => request.headers["idempotency-key"],
});
