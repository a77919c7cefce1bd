import type { DeliveryResult, Notifier } from "@operator/core";

/**
 * A small webhook notifier for the outbox tests: POST JSON `{key, eventId, kind, attempt}` with the
 * headers `Idempotency-Key` and `X-Dispatcher-Pid`; 2xx delivered, 5xx/408/429 and network errors
 * retry, other 4xx failed.
 */
export function hookNotifier(url: string, name = "hook"): Notifier {
  return {
    name,
    type: "test-hook",
    async deliver(notification, { signal }): Promise<DeliveryResult> {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "idempotency-key": notification.id,
            "x-dispatcher-pid": String(process.pid),
          },
          body: JSON.stringify({
            key: notification.ticket.key,
            eventId: notification.event.id,
            kind: notification.event.kind,
            attempt: notification.attempt,
          }),
          signal,
        });
        await response.arrayBuffer();
        if (response.ok) return { outcome: "delivered" };
        const reason = `HTTP ${response.status}`;
        return response.status >= 500 || response.status === 408 || response.status === 429
          ? { outcome: "retry", reason }
          : { outcome: "failed", reason };
      } catch (error) {
        return { outcome: "retry", reason: (error as Error).message };
      }
    },
  };
}
