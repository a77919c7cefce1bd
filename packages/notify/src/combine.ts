import type { DeliveryResult } from "@operator/core";

/**
 * One answer for a delivery sent to several URLs (an Alertmanager HA pair) or in several batches:
 * `delivered` when every part was; `retry` when any part should be retried (re-sending to the ones
 * that accepted is harmless: they deduplicate), after the longest `retryAfterMs`; else `failed`.
 */
export function combineResults(results: readonly DeliveryResult[]): DeliveryResult {
  const retries = results.filter((result) => result.outcome === "retry");
  const failures = results.filter((result) => result.outcome === "failed");
  if (retries.length > 0) {
    const reason = [...retries, ...failures].map((result) => result.reason).join("; ");
    const waits = retries.flatMap((result) =>
      result.retryAfterMs === undefined ? [] : [result.retryAfterMs],
    );
    return waits.length > 0
      ? { outcome: "retry", reason, retryAfterMs: Math.max(...waits) }
      : { outcome: "retry", reason };
  }
  if (failures.length > 0)
    return { outcome: "failed", reason: failures.map((result) => result.reason).join("; ") };
  return { outcome: "delivered" };
}
