import { describe, expect, it } from "vitest";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import { createMonitor } from "../src/monitor.ts";
import type { EntityResult } from "../src/subject.ts";
import { manualClock } from "../src/testing/run-cycles.ts";
import { ok, violated } from "./harness.ts";
import { memoryLogger, scriptedSubject } from "./helpers.ts";

describe("CycleReport.events: the ticket events a cycle wrote", () => {
  it("reports opened, severity changed and resolved with ticket id, key, reason and message; a steady cycle none", async () => {
    let results: readonly EntityResult[] = [
      violated("4", "Store 4 is Disconnected", { severity: "warning" }),
    ];
    const { subject } = scriptedSubject(() => results, { name: "prod" });
    const clock = manualClock();
    const monitor = createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      now: clock.now,
      logger: memoryLogger().logger,
    });
    const first = await monitor.runOnce();
    const id = first.opened[0]?.id;
    expect(first.events).toEqual([
      {
        ticketId: id,
        key: "prod/inv/4",
        kind: "opened",
        from: null,
        to: "open",
        comment: "Store 4 is Disconnected",
        at: clock.now(),
        severity: "warning",
        message: "Store 4 is Disconnected",
      },
    ]);
    clock.advance(30_000);
    expect((await monitor.runOnce()).events).toEqual([]);
    clock.advance(30_000);
    results = [violated("4", "Store 4 is Down", { severity: "critical" })];
    const raised = await monitor.runOnce();
    expect(raised.events).toEqual([
      expect.objectContaining({
        ticketId: id,
        kind: "severity_changed",
        from: "warning",
        to: "critical",
        severity: "critical",
        message: "Store 4 is Down",
      }),
    ]);
    clock.advance(30_000);
    results = [ok("4")];
    const resolved = await monitor.runOnce();
    expect(resolved.events).toEqual([
      expect.objectContaining({
        ticketId: id,
        kind: "resolved",
        from: "open",
        to: "resolved",
        comment: "evaluated ok",
      }),
    ]);
  });
});
