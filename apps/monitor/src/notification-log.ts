import type { AttemptReport } from "@operator/core";
import type { CliLogger } from "./logger.ts";
import { redact } from "./redact.ts";

/** Shortest time between two "still retrying" warnings of one channel. */
export const RETRY_WARNING_INTERVAL_MS = 60_000;

/**
 * Returns the daemon's log of delivery attempts: a warning for each notification refused for good
 * (it is not retried), and while a channel's deliveries are being retried a warning at most once a
 * minute per channel, counting the retries since the last one. Reasons are redacted.
 */
export function notificationLogger(
  logger: CliLogger,
  now: () => number = Date.now,
): (attempt: AttemptReport) => void {
  const lastWarned = new Map<string, number>();
  const retriesSince = new Map<string, number>();
  return ({ channel, notificationId, attempt, outcome, reason }) => {
    const why = redact(reason ?? "");
    if (outcome === "failed") {
      logger.warn(`Notification ${notificationId} failed for good on ${channel}: ${why}`, {
        channel,
        notification: notificationId,
        attempt,
      });
      return;
    }
    if (outcome !== "retry") return;
    const count = (retriesSince.get(channel) ?? 0) + 1;
    const last = lastWarned.get(channel);
    if (last !== undefined && now() - last < RETRY_WARNING_INTERVAL_MS) {
      retriesSince.set(channel, count);
      return;
    }
    lastWarned.set(channel, now());
    retriesSince.set(channel, 0);
    logger.warn(
      `Deliveries on ${channel} are being retried (${count} retr${count === 1 ? "y" : "ies"} since the last warning): ${why}`,
      { channel, notification: notificationId, attempt, retries: count },
    );
  };
}
