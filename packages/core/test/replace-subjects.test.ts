import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import { createMonitor } from "../src/monitor.ts";
import { ORPHAN_REASON } from "../src/orphans.ts";
import type { EntityResult } from "../src/subject.ts";
import { violated } from "./harness.ts";
import { memoryLogger, passThrough, scriptedSubject } from "./helpers.ts";

const T0 = Date.UTC(2026, 0, 1);
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Monitor.replaceSubjects", () => {
  it("swaps between cycles: added subjects cycle, removed ones stop and are disposed, their tickets resolve", async () => {
    const store = createMemoryTicketStore();
    const log = memoryLogger();
    const alpha = scriptedSubject(() => [violated("1")], { name: "alpha" });
    const beta = scriptedSubject(() => [violated("1")], { name: "beta" });
    const monitor = createMonitor({ subjects: [alpha.subject, beta.subject], store, logger: log.logger });
    expect(monitor.subjects.map((s) => s.name)).toEqual(["alpha", "beta"]);
    await monitor.runOnce();
    expect((await store.listTickets()).tickets.map((t) => t.key).sort()).toEqual([
      "alpha/inv/1",
      "beta/inv/1",
    ]);

    const alpha2 = scriptedSubject(() => [violated("1")], { name: "alpha" });
    const gamma = scriptedSubject(() => [violated("1")], { name: "gamma" });
    const swap = await monitor.replaceSubjects([alpha2.subject, gamma.subject]);
    expect(swap).toMatchObject({ added: ["gamma"], removed: ["beta"], kept: ["alpha"] });
    expect(monitor.subjects).toEqual([alpha2.subject, gamma.subject]);
    expect(swap.orphans?.resolved.map((t) => t.key)).toEqual(["beta/inv/1"]);
    expect(swap.orphans?.events[0]).toMatchObject({ kind: "resolved", comment: ORPHAN_REASON });
    expect([alpha.disposed(), beta.disposed(), alpha2.disposed(), gamma.disposed()]).toEqual([1, 1, 0, 0]);

    const report = await monitor.runOnce();
    expect(alpha.calls).toHaveLength(1);
    expect(beta.calls).toHaveLength(1);
    expect(alpha2.calls).toHaveLength(1);
    expect(gamma.calls).toHaveLength(1);
    // alpha's ticket carried over (recurrence, not a new ticket); gamma's opened.
    expect(report.opened.map((t) => t.key)).toEqual(["gamma/inv/1"]);
    const alphaTicket = (await store.listTickets({ subject: "alpha" })).tickets[0];
    expect(alphaTicket?.occurrenceCount).toBe(2);

    await monitor.stop();
    expect([alpha2.disposed(), gamma.disposed()]).toEqual([1, 1]);
  });

  it("waits for the cycle in flight: the swap never happens mid-cycle", async () => {
    let release: (value: readonly EntityResult[]) => void = () => {};
    const slow = scriptedSubject(
      () => new Promise<readonly EntityResult[]>((resolve) => (release = resolve)),
      { name: "alpha" },
    );
    const monitor = createMonitor({
      subjects: [slow.subject],
      store: createMemoryTicketStore(),
      logger: memoryLogger().logger,
    });
    const cycle = monitor.runOnce();
    await vi.advanceTimersByTimeAsync(0);
    const next = scriptedSubject(() => [], { name: "beta" });
    let swapped = false;
    const swap = monitor.replaceSubjects([next.subject]).then(() => (swapped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(swapped).toBe(false);
    expect(slow.disposed()).toBe(0);
    release([violated("1")]);
    const report = await cycle;
    expect(report.opened.map((t) => t.key)).toEqual(["alpha/inv/1"]);
    await swap;
    expect(slow.disposed()).toBe(1);
    await monitor.stop();
  });

  it("refuses subjects the monitor would refuse, and keeps watching the old ones", async () => {
    const alpha = scriptedSubject(() => [], { name: "alpha" });
    const monitor = createMonitor({
      subjects: [alpha.subject],
      store: createMemoryTicketStore(),
      logger: memoryLogger().logger,
    });
    const twin = scriptedSubject(() => [], { name: "alpha" });
    await expect(monitor.replaceSubjects([twin.subject, twin.subject])).rejects.toThrow(
      'Two subjects are named "alpha"',
    );
    await monitor.runOnce();
    expect(alpha.calls).toHaveLength(1);
    expect(twin.calls).toHaveLength(0);
    expect(alpha.disposed()).toBe(0);
  });

  it("a disabled invariant's open tickets are orphaned; a held one stays open", async () => {
    const store = createMemoryTicketStore();
    const both = () => [passThrough("inv"), passThrough("other")];
    const alpha = scriptedSubject(() => [violated("1"), violated("2")], {
      name: "alpha",
      invariants: both(),
    });
    const monitor = createMonitor({ subjects: [alpha.subject], store, logger: memoryLogger().logger });
    await monitor.runOnce();
    const tickets = (await store.listTickets()).tickets;
    const held = tickets.find((t) => t.key === "alpha/other/2");
    await store.applyAction(held?.id as number, { type: "hold", actor: "ana" });
    const [inv, other] = both();
    const disabled = { ...other, defaults: { ...other?.defaults, enabled: false } } as typeof inv;
    const again = scriptedSubject(() => [violated("1"), violated("2")], {
      name: "alpha",
      invariants: [inv as NonNullable<typeof inv>, disabled as NonNullable<typeof inv>],
    });
    const swap = await monitor.replaceSubjects([again.subject]);
    expect(swap.orphans?.resolved.map((t) => t.key)).toEqual(["alpha/other/1"]);
    expect(swap.orphans?.held.map((t) => t.key)).toEqual(["alpha/other/2"]);
    expect((await store.listTickets()).tickets.map((t) => t.key).sort()).toEqual([
      "alpha/inv/1",
      "alpha/inv/2",
      "alpha/other/2",
    ]);
    await monitor.stop();
  });
});
