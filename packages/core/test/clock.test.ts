import { describe, expect, it } from "vitest";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import { createMonitor } from "../src/monitor.ts";
import type { EntityResult, InvariantSettings } from "../src/subject.ts";
import { violated } from "./harness.ts";
import { memoryLogger, passThrough, scriptedSubject } from "./helpers.ts";

const T0 = Date.UTC(2026, 0, 1);
const INTERVAL = 30_000;
const GRACE: InvariantSettings = {
  enabled: true,
  severity: "warning",
  forMs: 60_000,
  clearMs: 0,
  thresholds: {},
};

/** A wall clock and a monotonic clock the test moves: `tick` moves both, `step` only the wall clock. */
function clocks() {
  let wall = T0;
  let mono = 1_000;
  return {
    now: () => wall,
    monotonic: () => mono,
    tick(ms: number) {
      wall += ms;
      mono += ms;
    },
    step(ms: number) {
      wall += ms;
    },
  };
}

/** Cycles of a monitor whose one key is violated every cycle, with a 60 s grace, until its ticket opens. */
async function graceWithStep(stepMs: number, store = createMemoryTicketStore()) {
  const clock = clocks();
  const { subject } = scriptedSubject(() => [violated("4")], {
    invariants: [passThrough("inv", { defaults: GRACE })],
  });
  const monitor = createMonitor({
    subjects: [subject],
    store,
    intervalMs: INTERVAL,
    now: clock.now,
    monotonic: clock.monotonic,
    logger: memoryLogger().logger,
  });
  let elapsed = 0;
  for (let cycle = 0; cycle < 200; cycle++) {
    const report = await monitor.runOnce();
    if (report.opened.length) return { elapsed, ticket: report.opened[0], monitor };
    clock.tick(INTERVAL);
    elapsed += INTERVAL;
    if (cycle === 0) clock.step(stepMs);
  }
  throw new Error("the ticket never opened");
}

describe("rule 13: time", () => {
  for (const [label, stepMs] of [
    ["10 s", -10_000],
    ["1 h", -3_600_000],
  ] as const) {
    it(`a ${label} backward wall-clock step does not stretch a 60 s grace period beyond one interval`, async () => {
      const { elapsed, ticket } = await graceWithStep(stepMs);
      expect(elapsed).toBeLessThanOrEqual(60_000 + INTERVAL);
      expect(elapsed).toBeGreaterThanOrEqual(60_000);
      expect(ticket?.firstSeenAt).toBe(T0);
    });
  }

  it("the loop keeps its interval when the wall clock steps back 10 s (scheduled on the monotonic clock)", async () => {
    let wall = Date.now();
    const results: readonly EntityResult[] = [];
    const { subject } = scriptedSubject(() => results);
    let cycles = 0;
    const monitor = createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      intervalMs: 20,
      now: () => wall,
      logger: memoryLogger().logger,
      onCycle: () => {
        cycles++;
        if (cycles === 1) wall -= 10_000;
        if (cycles === 4) void monitor.stop();
      },
    });
    await monitor.run();
    expect(cycles).toBe(4);
  }, 5_000);

  it("lastCycleAgeMs is measured on the monotonic clock and never negative after a backward step", async () => {
    const clock = clocks();
    const { subject } = scriptedSubject(() => []);
    const monitor = createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      now: clock.now,
      monotonic: clock.monotonic,
      logger: memoryLogger().logger,
    });
    expect(monitor.lastCycleAgeMs()).toBeUndefined();
    await monitor.runOnce();
    clock.tick(7_000);
    clock.step(-10_000);
    expect(monitor.lastCycleAgeMs()).toBe(7_000);
  });

  it("decision times never go backwards within a process: cycles keep the pre-step timeline", async () => {
    const clock = clocks();
    const { subject } = scriptedSubject(() => []);
    const monitor = createMonitor({
      subjects: [subject],
      store: createMemoryTicketStore(),
      intervalMs: INTERVAL,
      now: clock.now,
      monotonic: clock.monotonic,
      logger: memoryLogger().logger,
    });
    const starts: number[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      starts.push((await monitor.runOnce()).startedAt);
      clock.tick(INTERVAL);
      if (cycle === 0) clock.step(-3_600_000);
    }
    expect(starts).toEqual([T0, T0 + INTERVAL, T0 + 2 * INTERVAL]);
  });

  it("after a restart behind the stored times, a grace period continues from the key's last write", async () => {
    const store = createMemoryTicketStore();
    const clock = clocks();
    const make = () =>
      createMonitor({
        subjects: [
          scriptedSubject(() => [violated("4")], { invariants: [passThrough("inv", { defaults: GRACE })] })
            .subject,
        ],
        store,
        intervalMs: INTERVAL,
        now: clock.now,
        monotonic: clock.monotonic,
        logger: memoryLogger().logger,
      });
    await make().runOnce();
    clock.tick(INTERVAL);
    await make().runOnce();
    clock.tick(INTERVAL);
    clock.step(-3_600_000);
    const restarted = make();
    const opened: number[] = [];
    for (let cycle = 0; cycle < 5 && opened.length === 0; cycle++) {
      const report = await restarted.runOnce();
      if (report.opened.length) opened.push(cycle);
      clock.tick(INTERVAL);
    }
    // Violated since T0; the restart's first cycle is at T0 + 60 s real time, its second at T0 + 90 s:
    // the grace (60 s) is stretched by at most one interval, not by the hour the clock stepped back.
    expect(opened).toEqual([1]);
  });
});
