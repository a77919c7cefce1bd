import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.ts";
import { notificationLogger, RETRY_WARNING_INTERVAL_MS } from "../src/notification-log.ts";
import { registerSecret } from "../src/redact.ts";

function capture() {
  const lines: string[] = [];
  const stream = { write: (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)) };
  return { lines, logger: createLogger("text", stream, () => 0) };
}

const retry = (channel: string, reason = "webhook http://h answered 503: busy") =>
  ({ channel, notificationId: `${channel}:1`, attempt: 2, outcome: "retry", latencyMs: 5, reason }) as const;

describe("notificationLogger", () => {
  it("warns about retries at most once a minute per channel, counting the retries in between", () => {
    const { lines, logger } = capture();
    let now = 1_000_000;
    const log = notificationLogger(logger, () => now);
    log(retry("hook"));
    log(retry("hook"));
    log(retry("am"));
    now += RETRY_WARNING_INTERVAL_MS - 1;
    log(retry("hook"));
    expect(lines).toHaveLength(2);
    now += 1;
    log(retry("hook"));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /warn .*Deliveries on hook are being retried \(1 retry since the last warning\): .*503/,
    );
    expect(lines[1]).toMatch(/Deliveries on am are being retried/);
    expect(lines[2]).toMatch(/Deliveries on hook are being retried \(3 retries since the last warning\)/);
  });

  it("warns about every notification failed for good, with the reason redacted; says nothing of deliveries", () => {
    const { lines, logger } = capture();
    registerSecret("tok-9f8e7d6c5b");
    const log = notificationLogger(logger, () => 0);
    log({ channel: "hook", notificationId: "hook:7", attempt: 1, outcome: "delivered", latencyMs: 3 });
    log({
      channel: "hook",
      notificationId: "hook:8",
      attempt: 1,
      outcome: "failed",
      latencyMs: 3,
      reason: "answered 401: bad token tok-9f8e7d6c5b",
    });
    log({
      channel: "hook",
      notificationId: "hook:9",
      attempt: 1,
      outcome: "failed",
      latencyMs: 3,
      reason: "answered 400",
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/warn .*Notification hook:8 failed for good on hook: answered 401/);
    expect(lines.join("\n")).not.toContain("tok-9f8e7d6c5b");
  });
});
