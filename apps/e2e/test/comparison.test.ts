import { describe, expect, it } from "vitest";
import { COMPARISON_SCENARIOS, formatComparisonTable, runDetectionComparison } from "../src/index.ts";

/**
 * A small run of the detection comparison that `pnpm bench` publishes: not a timing test, but proof
 * that the comparison works end to end and that the monitor detected every fault it was given.
 */
describe("detection comparison with Prometheus's own alerting rules", () => {
  it("measures both sides on a store outage and a full disk across a store restart", async () => {
    const scenarios = ["store-down", "disk-full-store-restart"] as const;
    const result = await runDetectionComparison({ scenarios, latencyForMs: 5_000 });
    expect(result.rows.map((row) => row.scenario)).toEqual(scenarios);
    for (const row of result.rows) {
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
    // The full disk never went away: the monitor kept its ticket open through the store's restart.
    const restart = result.rows.find((row) => row.scenario === "disk-full-store-restart");
    expect(restart?.operator).toMatchObject({ opened: 1, falseResolves: 0 });

    const table = formatComparisonTable(result);
    const tableRows = table.split("\n").filter((line) => line.startsWith("| "));
    expect(tableRows).toHaveLength(1 + scenarios.length);
    for (const id of scenarios) expect(table).toContain(`| ${id} |`);
  });
});
