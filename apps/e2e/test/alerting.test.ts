import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ALERT_NAMES, type AlertPoll, alertKey, timelineOf, writeAlertingRules } from "../src/index.ts";

const run = promisify(execFile);

describe("the Prometheus side of the comparison", () => {
  it("writes alerting rules that promtool accepts, one per compared invariant, with the given `for`", async () => {
    const dir = await mkdtemp(join(tmpdir(), "operator-e2e-rules-"));
    try {
      const file = await writeAlertingRules(dir, {
        rateWindow: "4s",
        latencyForMs: 10_000,
        storeDownForMs: 1_000,
      });
      const { stdout, stderr } = await run("promtool", ["check", "rules", "--lint=all", file]);
      expect(`${stdout}${stderr}`).toMatch(/SUCCESS: 3 rules found/);
      const text = await readFile(file, "utf8");
      expect(text.match(/^ {6}- alert: (\w+)$/gm)?.map((line) => line.trim().slice(9))).toEqual(
        Object.values(ALERT_NAMES),
      );
      expect(text).toMatch(/TiKVHighLatency\n.*\[4s\].*> 0\.1"\n {8}for: 10000ms/);
      expect(text).toMatch(/TiKVStoreDown\n.*\n {8}for: 1000ms/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("counts an alert that stops firing as a resolve, but not a poll Prometheus did not answer", () => {
    const firing = (...names: string[]) => new Set(names.map((n) => alertKey(n, "tikv-1:20180")));
    const down = ALERT_NAMES.store_down;
    const polls: AlertPoll[] = [
      { at: 0, firing: firing() },
      { at: 1, firing: firing(down) },
      { at: 2, firing: null },
      { at: 3, firing: firing(down) },
      { at: 4, firing: firing() },
      { at: 5, firing: firing(down) },
      { at: 6, firing: firing(down, ALERT_NAMES.low_disk_space) },
    ];
    const timeline = timelineOf(polls);
    expect(timeline.firstFiring(down, "tikv-1:20180", 0)).toBe(1);
    expect(timeline.firstFiring(down, "tikv-2:20180", 0)).toBeNull();
    expect(timeline.resolves(down, "tikv-1:20180", 0, 6)).toBe(1);
    expect(timeline.firings(down, "tikv-1:20180", 0, 6)).toBe(2);
    expect(timeline.firings(down, "tikv-1:20180", 3, 6)).toBe(2);
    expect(timeline.firstActive(down, "tikv-1:20180", 0)).toBeNull();
  });

  it("tells when the alert that fired first went pending", () => {
    const key = alertKey(ALERT_NAMES.high_latency, "tikv-2:20180");
    const timeline = timelineOf([
      { at: 100, firing: new Set() },
      { at: 11_200, firing: new Set([key]), activeAt: new Map([[key, 1_000]]) },
      { at: 30_000, firing: new Set([key]), activeAt: new Map([[key, 19_000]]) },
    ]);
    expect(timeline.firstActive(ALERT_NAMES.high_latency, "tikv-2:20180", 0)).toBe(1_000);
    expect(timeline.firstActive(ALERT_NAMES.high_latency, "tikv-2:20180", 20_000)).toBe(19_000);
    expect(timeline.firstActive(ALERT_NAMES.high_latency, "tikv-1:20180", 0)).toBeNull();
    expect(timeline.resolves(ALERT_NAMES.low_disk_space, "tikv-1:20180", 0, 6)).toBe(0);
  });
});
