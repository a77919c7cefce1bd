import type { DeliveryContext, DeliveryResult } from "./notifier.ts";

/**
 * Runs one delivery (or re-send) with a deadline `timeoutMs` from now: the notifier gets a signal
 * aborted at the deadline (or when `stop` aborts), and the answer is `retry` at the deadline even if
 * the notifier ignores the signal. A throw or a malformed answer is a `retry` too: never throws.
 */
export async function deliverWithDeadline(
  call: (context: DeliveryContext) => Promise<DeliveryResult>,
  timeoutMs: number,
  stop: AbortSignal,
  now: () => number = Date.now,
): Promise<DeliveryResult> {
  const controller = new AbortController();
  const deadline = now() + timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const abandoned = new Promise<DeliveryResult>((resolve) => {
    const give = (reason: string) => {
      controller.abort(new Error(reason));
      resolve({ outcome: "retry", reason });
    };
    timer = setTimeout(() => give(`timed out after ${timeoutMs} ms`), timeoutMs);
    const onStop = () => give("stopped before the receiver answered");
    if (stop.aborted) onStop();
    else stop.addEventListener("abort", onStop, { once: true });
    controller.signal.addEventListener("abort", () => stop.removeEventListener("abort", onStop), {
      once: true,
    });
  });
  const attempt = Promise.resolve()
    .then(() => call({ signal: controller.signal, deadline }))
    .then(
      checkResult,
      (error: unknown): DeliveryResult => ({ outcome: "retry", reason: `threw: ${describe(error)}` }),
    );
  try {
    return await Promise.race([attempt, abandoned]);
  } finally {
    clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort(new Error("delivery finished"));
  }
}

function checkResult(result: unknown): DeliveryResult {
  const r = result as Partial<{ outcome: string; reason: unknown; retryAfterMs: unknown }> | null;
  if (r?.outcome === "delivered") return { outcome: "delivered" };
  const reason = typeof r?.reason === "string" ? r.reason : "no reason given";
  if (r?.outcome === "failed") return { outcome: "failed", reason };
  if (r?.outcome === "retry") {
    return typeof r.retryAfterMs === "number"
      ? { outcome: "retry", reason, retryAfterMs: r.retryAfterMs }
      : { outcome: "retry", reason };
  }
  return { outcome: "retry", reason: "the notifier gave no valid answer" };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
