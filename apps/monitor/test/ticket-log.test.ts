import type { CycleTicketEvent } from "@operator/core";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.ts";
import { formatTicketEvent, logTicketEvents } from "../src/ticket-log.ts";

const base: CycleTicketEvent = {
  ticketId: 12,
  key: "prod/store_down/4",
  kind: "opened",
  from: null,
  to: "open",
  comment: null,
  at: 0,
  severity: "warning",
  message: "Store 4 (10.0.1.4:20160) is Disconnected",
};

describe("ticket event log lines", () => {
  it("names the ticket, the change and the key for every kind the monitor writes", () => {
    const line = (event: Partial<CycleTicketEvent>) => formatTicketEvent({ ...base, ...event });
    expect(line({})).toBe(
      "Ticket 12 opened [warning] prod/store_down/4: Store 4 (10.0.1.4:20160) is Disconnected",
    );
    expect(
      line({
        kind: "severity_changed",
        from: "warning",
        to: "critical",
        severity: "critical",
        message: "Store 4 is Down",
      }),
    ).toBe("Ticket 12 severity changed warning -> critical: prod/store_down/4: Store 4 is Down");
    expect(line({ kind: "flapping_started", from: "false", to: "true" })).toBe(
      "Ticket 12 flapping started: prod/store_down/4: Store 4 (10.0.1.4:20160) is Disconnected",
    );
    expect(line({ kind: "flapping_stopped", from: "true", to: "false" })).toBe(
      "Ticket 12 flapping stopped: prod/store_down/4",
    );
    expect(line({ kind: "resolved", from: "open", to: "resolved", comment: "clear for 1m" })).toBe(
      "Ticket 12 resolved: prod/store_down/4 (clear for 1m)",
    );
  });

  it("caps the length of text from the watched system, and the logger keeps each event on one line", () => {
    const message = `down\n2026 error  FAKE LINE\u001b[31m${"x".repeat(1000)}`;
    expect(formatTicketEvent({ ...base, message }).length).toBeLessThan(600);
    for (const format of ["text", "json"] as const) {
      const written: string[] = [];
      logTicketEvents(createLogger(format, { write: (chunk: string) => written.push(chunk) }), [
        { ...base, message },
      ]);
      expect(written).toHaveLength(1);
      expect(written[0]?.split("\n")).toHaveLength(2);
      expect(written[0]).not.toContain("\u001b");
      if (format === "text") expect(written[0]).toContain("down\\n2026 error  FAKE LINE\\x1b[31m");
      else expect(JSON.parse(written[0] ?? "").msg).toContain(message.slice(0, 40));
    }
  });

  it("logs openings and raised severities as warnings, the rest as info, and nothing without events", () => {
    const written: string[] = [];
    const logger = createLogger("json", { write: (chunk: string) => written.push(chunk) });
    logTicketEvents(logger, []);
    expect(written).toEqual([]);
    logTicketEvents(logger, [
      base,
      { ...base, kind: "severity_changed", from: "warning", to: "critical" },
      { ...base, kind: "severity_changed", from: "critical", to: "warning" },
      {
        ...base,
        kind: "resolved",
        from: "open",
        to: "resolved",
        comment: "no longer reported by the subject",
      },
    ]);
    const lines = written.map((w) => JSON.parse(w) as Record<string, unknown>);
    expect(lines.map((l) => l.level)).toEqual(["warn", "warn", "info", "info"]);
    expect(lines[3]).toMatchObject({
      ticket: 12,
      key: "prod/store_down/4",
      event: "resolved",
      reason: "no longer reported by the subject",
    });
  });
});
