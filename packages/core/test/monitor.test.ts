import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatHeartbeat } from "../src/heartbeat.ts";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import { type CycleReport, createMonitor } from "../src/monitor.ts";
import type { TicketStore } from "../src/store.ts";
import type { EntityResult } from "../src/subject.ts";
import { ok, violated } from "./harness.ts";
import { memoryLogger, never, passThrough, scriptedSubject } from "./helpers.ts";

const T0 = Date.UTC(2026, 0, 1);
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("heartbeat line", () => {
  const report = (counts: Partial<CycleReport>) =>
    formatHeartbeat({
      invariants: 3,
      violations: 0,
      unknown: 0,
      opened: [],
      resolved: [],
      durationMs: 12,
      ...counts,
    });
  const tickets = (n: number) => Array.from({ length: n }, () => ({}) as never);

  it("says all passing, or counts violations, unknown results and ticket changes", () => {
    expect(report({})).toBe("Check complete: 3 invariants, all passing (12ms)");
    expect(report({ violations: 2, opened: tickets(1), resolved: tickets(1), durationMs: 40 })).toBe(
      "Check complete: 3 invariants, 2 violations (1 new, 1 resolved) (40ms)",
    );
    expect(report({ invariants: 7, violations: 1, unknown: 4, opened: tickets(1), durationMs: 31 })).toBe(
      "Check complete: 7 invariants, 1 violation, 4 unknown (1 new) (31ms)",
    );
    expect(report({ invariants: 1, unknown: 1 })).toBe(
      "Check complete: 1 invariant, 0 violations, 1 unknown (12ms)",
    );
    expect(report({ resolved: tickets(2) })).toBe(
      "Check complete: 3 invariants, all passing (2 resolved) (12ms)",
    );
  });
});

describe("createMonitor", () => {
  it("logs one heartbeat per cycle with the cycle's outcome and duration", async () => {
    let results: readonly EntityResult[] = [violated("4")];
    const { subject } = scriptedSubject(async () => {
      await new Promise((resolve) => setTimeout(resolve, 25));
      return results;
    });
    const log = memoryLogger();
    const monitor = createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      logger: log.logger,
    });
    const first = monitor.runOnce();
    await vi.advanceTimersByTimeAsync(25);
    expect((await first).opened).toHaveLength(1);
    results = [ok("4")];
    const second = monitor.runOnce();
    await vi.advanceTimersByTimeAsync(25);
    expect((await second).resolved).toHaveLength(1);
    expect(log.messages()).toEqual([
      "Check complete: 1 invariant, 1 violation (1 new) (25ms)",
      "Check complete: 1 invariant, all passing (1 resolved) (25ms)",
    ]);
    expect(log.lines[0]?.fields).toMatchObject({ invariants: 1, violations: 1, opened: 1, durationMs: 25 });
  });

  it("names a subject it could not read in a warning, and its results are unknown", async () => {
    const { subject } = scriptedSubject(() => new Error("connect ECONNREFUSED 127.0.0.1:2379"));
    const log = memoryLogger();
    const monitor = createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      logger: log.logger,
    });
    const report = await monitor.runOnce();
    expect(report).toMatchObject({ unknown: 1, failures: { db: "connect ECONNREFUSED 127.0.0.1:2379" } });
    expect(log.messages()).toEqual([
      'Subject "db" could not be read: connect ECONNREFUSED 127.0.0.1:2379',
      "Check complete: 1 invariant, 0 violations, 1 unknown (0ms)",
    ]);
  });

  it("does not count a disabled invariant, even when its subject cannot be read", async () => {
    const disabled = passThrough("off", { defaults: { ...passThrough().defaults, enabled: false } });
    const { subject } = scriptedSubject(() => new Error("timeout"), {
      invariants: [passThrough(), disabled],
    });
    const report = await createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      logger: memoryLogger().logger,
    }).runOnce();
    expect(report).toMatchObject({ invariants: 1, unknown: 1 });
    expect(report.findings.map((finding) => finding.invariant)).toEqual(["inv"]);
  });

  it("warns when an invariant throws and keeps its keys", async () => {
    const broken = passThrough("inv", {
      evaluate: () => {
        throw new TypeError("cannot read properties of undefined");
      },
    });
    const { subject } = scriptedSubject(() => [], { invariants: [broken] });
    const log = memoryLogger();
    const report = await createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      logger: log.logger,
    }).runOnce();
    expect(report.findings).toEqual([
      expect.objectContaining({
        outcome: "unknown",
        reason: "evaluate threw: cannot read properties of undefined",
      }),
    ]);
    expect(log.lines[0]).toMatchObject({
      level: "warn",
      message: expect.stringContaining('Invariant "inv" of "db"'),
    });
  });

  it("aborts reads still out at the deadline; their results are unknown", async () => {
    const honours = scriptedSubject(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(new Error("The operation was aborted"))),
        ),
      { name: "honours" },
    );
    const ignores = scriptedSubject(() => never(), { name: "ignores" });
    const store = createMemoryTicketStore();
    const monitor = createMonitor({
      subjects: [honours.subject, ignores.subject],
      store,
      intervalMs: 10_000,
      deadlineMs: 2_000,
      logger: memoryLogger().logger,
    });
    const pending = monitor.runOnce();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(honours.calls[0]?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const report = await pending;
    expect(honours.calls[0]?.deadline).toBe(T0 + 2_000);
    expect(ignores.calls[0]?.signal.aborted).toBe(true);
    expect(report.failures).toEqual({
      honours: "cycle deadline of 2000ms passed",
      ignores: "cycle deadline of 2000ms passed",
    });
    expect(report.durationMs).toBe(2_000);
    expect(report.unknown).toBe(2);
    expect((await store.listTickets()).tickets).toEqual([]);
  });

  it("starts a cycle every interval and never overlaps two", async () => {
    let active = 0;
    let most = 0;
    const { subject } = scriptedSubject(async () => {
      active++;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      active--;
      return [];
    });
    const starts: number[] = [];
    const monitor = createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      logger: memoryLogger().logger,
      onCycle: (report) => starts.push(report.startedAt - T0),
    });
    const running = monitor.run();
    void monitor.runOnce();
    await vi.advanceTimersByTimeAsync(95_000);
    await monitor.stop();
    await running;
    expect(starts.slice(0, 5)).toEqual([0, 1_000, 30_000, 60_000, 90_000]);
    expect(most).toBe(1);
    expect(monitor.missedTicks).toBe(0);
  });

  it("counts missed ticks when a cycle overruns, and starts the next at once", async () => {
    const memory = createMemoryTicketStore();
    let slow = true;
    const store: TicketStore = {
      ...memory,
      async recordCycle(subjects, plan) {
        if (slow) await new Promise((resolve) => setTimeout(resolve, 75_000));
        slow = false;
        return memory.recordCycle(subjects, plan);
      },
    };
    const { subject } = scriptedSubject(() => []);
    const log = memoryLogger();
    const reports: CycleReport[] = [];
    const monitor = createMonitor({
      subjects: [subject],
      store,
      logger: log.logger,
      onCycle: (r) => reports.push(r),
    });
    const running = monitor.run();
    await vi.advanceTimersByTimeAsync(75_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.missedTicks).toBe(2);
    expect(reports.map((r) => [r.startedAt - T0, r.missedTicks])).toEqual([
      [0, 2],
      [75_000, 0],
    ]);
    expect(log.messages()).toContain("Cycle took 75000ms, longer than the 30000ms interval: 2 ticks missed");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(reports.map((r) => r.startedAt - T0)).toEqual([0, 75_000, 105_000]);
    await monitor.stop();
    await running;
  });

  it("an onCycle callback that throws is logged; the cycle still counts as done", async () => {
    const { subject } = scriptedSubject(() => [violated("1")]);
    const log = memoryLogger();
    const monitor = createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      logger: log.logger,
      onCycle: () => {
        throw new Error("metrics registry closed");
      },
    });
    expect((await monitor.runOnce()).opened).toHaveLength(1);
    expect(log.lines.at(-1)).toMatchObject({
      level: "error",
      message: "onCycle failed: metrics registry closed",
    });
  });

  it("logs a cycle whose store write fails and carries on", async () => {
    const memory = createMemoryTicketStore();
    let fail = true;
    const store: TicketStore = {
      ...memory,
      async recordCycle(subjects, plan) {
        if (fail) {
          fail = false;
          throw new Error("SQLITE_BUSY: database is locked");
        }
        return memory.recordCycle(subjects, plan);
      },
    };
    const { subject } = scriptedSubject(() => [violated("1")]);
    const log = memoryLogger();
    const monitor = createMonitor({ subjects: [subject], store, logger: log.logger });
    const running = monitor.run();
    await vi.advanceTimersByTimeAsync(30_000);
    await monitor.stop();
    await running;
    expect(monitor.failedCycles).toBe(1);
    expect(log.lines[0]).toMatchObject({
      level: "error",
      message: "Cycle failed: SQLITE_BUSY: database is locked",
    });
    expect((await memory.listTickets()).tickets).toHaveLength(1);
  });
});

describe("stopping", () => {
  it("finishes the cycle in flight, disposes subjects, logs 'Monitor loop stopped' and starts no other cycle", async () => {
    let release: (results: readonly EntityResult[]) => void = () => {};
    const scripted = scriptedSubject(() => new Promise((resolve) => (release = resolve)));
    const log = memoryLogger();
    const store = createMemoryTicketStore();
    const monitor = createMonitor({ subjects: [scripted.subject], store, logger: log.logger });
    const running = monitor.run();
    await vi.advanceTimersByTimeAsync(10);
    const stopping = monitor.stop();
    await vi.advanceTimersByTimeAsync(10);
    release([violated("1")]);
    await stopping;
    await running;
    expect(log.messages()).toEqual([
      "Check complete: 1 invariant, 1 violation (1 new) (20ms)",
      "Monitor loop stopped",
    ]);
    expect((await store.listTickets()).tickets).toHaveLength(1);
    expect(scripted.disposed()).toBe(1);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(scripted.calls).toHaveLength(1);
    await expect(monitor.runOnce()).rejects.toThrow("The monitor is stopped");
  });

  it("aborts reads still out after the stop grace", async () => {
    const scripted = scriptedSubject(() => never());
    const log = memoryLogger();
    const monitor = createMonitor({
      subjects: [scripted.subject],
      store: createMemoryTicketStore(),
      logger: log.logger,
      stopGraceMs: 1_000,
    });
    const running = monitor.run();
    await vi.advanceTimersByTimeAsync(100);
    void monitor.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await running;
    expect(scripted.calls[0]?.signal.aborted).toBe(true);
    expect(monitor.lastCycle).toMatchObject({
      failures: { db: "the monitor is stopping" },
      durationMs: 1_100,
    });
    expect(log.messages().at(-1)).toBe("Monitor loop stopped");
  });

  it("stops when the run signal aborts", async () => {
    const scripted = scriptedSubject(() => []);
    const log = memoryLogger();
    const monitor = createMonitor({
      subjects: [scripted.subject],
      store: createMemoryTicketStore(),
      logger: log.logger,
    });
    const controller = new AbortController();
    const running = monitor.run({ signal: controller.signal });
    await vi.advanceTimersByTimeAsync(60_000);
    controller.abort();
    await running;
    expect(scripted.calls).toHaveLength(3);
    expect(log.messages().at(-1)).toBe("Monitor loop stopped");
  });
});

describe("restart safety", () => {
  it("a new monitor on the same store continues the pending clock", async () => {
    const store = createMemoryTicketStore();
    const invariant = passThrough("inv", { defaults: { ...passThrough().defaults, forMs: 60_000 } });
    const make = () =>
      createMonitor({
        subjects: [scriptedSubject(() => [violated("4")], { invariants: [invariant] }).subject],
        store,
        logger: memoryLogger().logger,
      });
    const first = make();
    expect((await first.runOnce()).opened).toHaveLength(0);
    await first.stop();
    vi.setSystemTime(T0 + 60_000);
    const report = await make().runOnce();
    expect(report.opened).toHaveLength(1);
    expect(report.opened[0]?.firstSeenAt).toBe(T0);
  });
});

describe("restart safety of counters and flap history", () => {
  it("the unreachable count and a flapping key carry over to a new monitor on the same store", async () => {
    const store = createMemoryTicketStore();
    let read: () => readonly EntityResult[] | Error = () => new Error("connect ECONNREFUSED");
    const make = () =>
      createMonitor({
        subjects: [scriptedSubject(() => read()).subject],
        store,
        logger: memoryLogger().logger,
      });
    const first = make();
    await first.runOnce();
    await first.runOnce();
    await first.stop();
    const second = make();
    const third = await second.runOnce();
    expect(third.opened.map((t) => t.invariant)).toEqual(["subject_unreachable"]);

    let calls = 0;
    read = () => (calls++ % 2 === 0 ? [violated("1")] : [ok("1")]);
    for (let i = 0; i < 4; i++) await second.runOnce();
    await second.stop();
    const after = make();
    read = () => [violated("1")];
    const report = await after.runOnce();
    const [ticket] = (await store.listTickets({ invariant: "inv" })).tickets;
    expect(report.opened.map((t) => t.flapping)).toEqual([true]);
    expect(ticket?.flapping).toBe(true);
  });
});

describe("configuration", () => {
  const store = createMemoryTicketStore();
  it("refuses options that cannot work, naming the problem", () => {
    const { subject } = scriptedSubject(() => []);
    expect(() => createMonitor({ subjects: [subject], store, intervalMs: 1000, deadlineMs: 1000 })).toThrow(
      "Invalid deadline: 1000ms (expected more than 0 and below the 1000ms interval)",
    );
    expect(() => createMonitor({ subjects: [subject, subject], store })).toThrow(
      'Two subjects are named "db"',
    );
    expect(() => createMonitor({ subjects: [subject], store, unreachableAfter: 0 })).toThrow(
      /unreachableAfter/,
    );
    const reserved = scriptedSubject(() => [], { invariants: [passThrough("subject_unreachable")] }).subject;
    expect(() => createMonitor({ subjects: [reserved], store })).toThrow(/reserved/);
    for (const name of ["source_unreachable", "identity_changed"]) {
      const own = scriptedSubject(() => [], { invariants: [passThrough(name)] }).subject;
      expect(() => createMonitor({ subjects: [own], store })).toThrow(
        `invariant "${name}": the name is reserved`,
      );
    }
    for (const member of ["sources", "identity"]) {
      const bad = { ...subject, [member]: "yes" };
      expect(() => createMonitor({ subjects: [bad], store })).toThrow(
        `Subject "db": ${member} must be a function`,
      );
    }
    expect(() => createMonitor({ subjects: [subject], store, flap: { startPercent: 10 } })).toThrow(/flap/);
  });
});
