import { describe, expect, it } from "vitest";
import { relativeTime } from "../page/time.ts";

describe("relativeTime", () => {
  const now = Date.parse("2026-01-02T12:00:00Z");
  it.each([
    [0, "just now"],
    [4_000, "just now"],
    [42_000, "42 s ago"],
    [3 * 60_000 + 20_000, "3 min ago"],
    [5 * 3_600_000 + 1, "5 h ago"],
    [2 * 86_400_000 + 5, "2 d ago"],
    [-8_000, "in 8 s"],
    [-2_000, "in a moment"],
    [-90 * 60_000, "in 1 h"],
  ])("%i ms before now reads %s", (ago, text) => {
    expect(relativeTime(now - ago, now)).toBe(text);
  });
});
