import { describe, expect, it } from "vitest";
import { checkDurationMs, MAX_DURATION_MS, parseDuration } from "../src/duration.ts";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import { createMonitor } from "../src/monitor.ts";
import { applyOverrides, DEFAULT_SETTINGS } from "../src/settings.ts";
import { scriptedSubject } from "./helpers.ts";

const LIMIT = /too long \(at most 2147483647 ms, about 24\.8 days/;

describe("parseDuration", () => {
  it("reads units, compound durations and bare milliseconds", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1.1s")).toBe(1100);
    expect(parseDuration("0.5s")).toBe(500);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("1500")).toBe(1500);
    expect(parseDuration(250)).toBe(250);
  });

  it("accepts exactly the longest duration a timer can hold", () => {
    expect(MAX_DURATION_MS).toBe(2 ** 31 - 1);
    expect(parseDuration("24d20h31m23s647ms")).toBe(MAX_DURATION_MS);
    expect(parseDuration(String(MAX_DURATION_MS))).toBe(MAX_DURATION_MS);
  });

  it.each(["30d", "10000000000d", "24d20h31m23s648ms", "2147483648", "99999999999999999999999999999999s"])(
    "refuses %s, naming the limit",
    (input) => {
      expect(() => parseDuration(input, "--interval")).toThrow(LIMIT);
      expect(() => parseDuration(input, "--interval")).toThrow(/^\[operator\] Invalid --interval: /);
    },
  );

  it("refuses numbers beyond the limit, non-finite numbers and fractions of a millisecond", () => {
    expect(() => parseDuration(2 ** 31, "interval")).toThrow(LIMIT);
    expect(() => parseDuration(1e300, "interval")).toThrow(LIMIT);
    expect(() => parseDuration(Number.POSITIVE_INFINITY, "interval")).toThrow(/expected 0 or more/);
    expect(() => parseDuration(Number.NaN, "interval")).toThrow(/expected 0 or more/);
    expect(() => parseDuration(-1, "interval")).toThrow(/expected 0 or more/);
    expect(() => parseDuration(1.5, "interval")).toThrow(/not a whole number of milliseconds/);
    expect(() => parseDuration("0.5ms", "interval")).toThrow(/not a whole number of milliseconds/);
    expect(() => parseDuration("1.0001s", "interval")).toThrow(/not a whole number of milliseconds/);
    expect(() => parseDuration("1e3", "interval")).toThrow(/expected e\.g\. 500ms/);
    expect(() => parseDuration("", "interval")).toThrow(/empty/);
  });

  it("checkDurationMs applies the same rules to milliseconds", () => {
    expect(checkDurationMs(MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
    expect(() => checkDurationMs(MAX_DURATION_MS + 1, "deadline")).toThrow(LIMIT);
  });
});

describe("durations beyond the timer limit are refused wherever they are read", () => {
  const { subject } = scriptedSubject(() => []);
  const store = createMemoryTicketStore();

  it("createMonitor refuses such an interval, deadline, stop grace and flap window", () => {
    expect(() => createMonitor({ subjects: [subject], store, intervalMs: 30 * 86_400_000 })).toThrow(LIMIT);
    expect(() =>
      createMonitor({ subjects: [subject], store, intervalMs: 1000, deadlineMs: Number.POSITIVE_INFINITY }),
    ).toThrow(/Invalid deadline/);
    expect(() => createMonitor({ subjects: [subject], store, stopGraceMs: 2 ** 31 })).toThrow(LIMIT);
    expect(() => createMonitor({ subjects: [subject], store, flap: { windowMs: 2 ** 40 } })).toThrow(LIMIT);
    expect(() => createMonitor({ subjects: [subject], store, intervalMs: 1000.5 })).toThrow(/whole number/);
  });

  it("applyOverrides refuses such `for` and `clear` windows, as text or milliseconds", () => {
    const invariants = [{ name: "probe", description: "d", defaults: DEFAULT_SETTINGS, evaluate: () => [] }];
    expect(() => applyOverrides(invariants, { probe: { for: "30d" } }, "prod")).toThrow(
      /^\[operator\] Invalid prod\.invariants\.probe\.for: "30d" is too long/,
    );
    expect(() => applyOverrides(invariants, { probe: { clear: 2 ** 31 } }, "prod")).toThrow(LIMIT);
    expect(() => applyOverrides(invariants, { probe: { forMs: 2 ** 31 } }, "prod")).toThrow(LIMIT);
    expect(() => applyOverrides(invariants, { probe: { clearMs: 0.5 } }, "prod")).toThrow(/whole number/);
    expect(applyOverrides(invariants, { probe: { for: "24d" } }, "prod")[0]?.defaults.forMs).toBe(
      24 * 86_400_000,
    );
  });
});
