import { describe, expect, it } from "vitest";
import { msUntilPhase } from "../src/comparison.ts";
import {
  COMPARISON_SCENARIOS,
  cycleStartOf,
  formatComparisonTable,
  runDetectionComparison,
} from "../src/index.ts";

/**
 * A small run of the detection comparison that `pnpm bench` publishes: not a timing test, but proof
 * that the comparison works end to end and that the monitor detected every fault it was given.
 */
describe("detection comparison with Prometheus's own alerting rules", () => {
  it("measures both sides on a store outage and a full disk across a store restart", async () => {
    const scenarios = ["store-down", "disk-full-store-restart"] as const;
    const result = await runDetectionComparison({ scenarios, latencyForMs: 5_000, phase: 0.5 });
    expect(result.rows.map((row) => row.scenario)).toEqual(scenarios);
    const interval = result.settings.intervalMs;
    for (const row of result.rows) {
      expect(row.phase).toBe(0.5);
      // Injected half an interval after a cycle started, the fault was first seen at a cycle start: a
      // whole number of intervals and a half later (timers and pipes allowing).
      const offset = ((row.operator.firstSeenMs ?? Number.NaN) - interval / 2) % interval;
      expect(Math.min(Math.abs(offset), interval - Math.abs(offset))).toBeLessThan(interval / 5);
      const scenario = COMPARISON_SCENARIOS.find((s) => s.id === row.scenario);
      expect(row.invariant).toBe(scenario?.invariant);
      expect(row.faultMs).toBeGreaterThan(0);
      expect(row.operator.detectMs, `${row.scenario}: the monitor detected the fault`).not.toBeNull();
      expect(row.operator.detectMs).toBeGreaterThanOrEqual(0);
      expect(row.operator.detectMs).toBeLessThan(row.faultMs);
      expect(row.operator.opened).toBeGreaterThanOrEqual(1);
      for (const side of [row.operator, row.prometheus]) {
        // Where a side detected, it says when it first saw the fault: at most one interval before the
        // injection (a cycle or evaluation that began just before it and read after it) and no later
        // than the detection.
        if (side.detectMs !== null) {
          expect(side.firstSeenMs, `${row.scenario}: when the fault was first seen`).not.toBeNull();
          expect(side.firstSeenMs).toBeGreaterThan(-result.settings.intervalMs);
          expect(side.firstSeenMs).toBeLessThanOrEqual(side.detectMs);
        }
        expect(Number.isInteger(side.opened) && side.opened >= 0).toBe(true);
        expect(Number.isInteger(side.falseResolves) && side.falseResolves >= 0).toBe(true);
      }
    }
    // The outage is read from PD's store state, the full disk from the samples of one scrape, which
    // each side first saw at its next look after that scrape: within an interval (timers allowing).
    const [outage, disk] = result.rows;
    expect(outage?.scrapedMs).toBeNull();
    expect(disk?.scrapedMs, "the scrape that showed the full disk").not.toBeNull();
    const scraped = disk?.scrapedMs ?? Number.NaN;
    expect(scraped).toBeGreaterThanOrEqual(0);
    expect(scraped).toBeLessThan(2 * interval);
    for (const side of [disk?.operator, disk?.prometheus]) {
      const wait = (side?.firstSeenMs ?? Number.NaN) - scraped;
      expect(wait).toBeGreaterThan(-interval / 5);
      expect(wait).toBeLessThan(interval + interval / 5);
    }
    // The full disk never went away: the monitor kept its ticket open through the store's restart.
    const restart = result.rows.find((row) => row.scenario === "disk-full-store-restart");
    expect(restart?.operator).toMatchObject({ opened: 1, falseResolves: 0 });

    const table = formatComparisonTable(result);
    const tableRows = table.split("\n").filter((line) => line.startsWith("| "));
    expect(tableRows).toHaveLength(1 + scenarios.length);
    for (const id of scenarios) expect(table).toContain(`| ${id} |`);
    expect(table).toContain("each fault injected 50 % of the monitor's interval after a cycle started");
  });

  it("refuses a phase outside one cycle", async () => {
    await expect(runDetectionComparison({ phase: 1 })).rejects.toThrow(/phase must be in \[0, 1\)/);
  });
});

describe("injecting at a phase of the monitor's cycle", () => {
  it.each([
    [1_000, 0.5, 1_100, 400],
    [1_000, 0.5, 1_600, 900],
    [1_000, 0, 1_000, 0],
    [1_000, 0.25, 5_300, 950],
  ])("from a cycle started at %d, phase %d, at %d: waits %d ms", (startedAt, phase, now, expected) => {
    expect(msUntilPhase(startedAt, 1_000, phase, now)).toBeCloseTo(expected, 6);
  });

  it("finds when a heartbeat's cycle started from its arrival and duration", () => {
    const text = "2026-01-01T00:00:00.000Z info  Check complete: 3 invariants, all passing (12ms)";
    expect(cycleStartOf({ stream: "stdout", at: 5_000, text })).toBe(4_988);
    expect(() => cycleStartOf({ stream: "stdout", at: 5_000, text: "Monitor loop stopped" })).toThrow(
      /Not a heartbeat/,
    );
  });
});
