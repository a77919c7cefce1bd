import { describe, expect, it } from "vitest";
import { parseExposition } from "../src/exposition.ts";
import { type Histogram, histogramOf } from "../src/histogram.ts";
import { MAX_COUNTER_SAMPLES, MemberHistory } from "../src/history.ts";

const MINUTE = 60_000;

function histogram(counts: number[]): Histogram {
  const bounds = ["0.1", "0.5", "1", "+Inf"];
  const text = counts.map((count, index) => `h_bucket{le="${bounds[index]}"} ${count}`).join("\n");
  return histogramOf(parseExposition(`${text}\nh_count ${counts.at(-1)}\nh_sum 1\n`), "h") as Histogram;
}

describe("MemberHistory.leaderChanges", () => {
  it("is unknown on the first sample, then counts the increase inside the window", () => {
    const history = new MemberHistory();
    expect(history.leaderChanges(0, 1, 10 * MINUTE)).toEqual({ unknown: expect.any(String) });
    expect(history.leaderChanges(MINUTE, 3, 10 * MINUTE)).toEqual({
      increase: 2,
      windowMs: 10 * MINUTE,
      coveredMs: MINUTE,
    });
    history.leaderChanges(2 * MINUTE, 3, 10 * MINUTE);
    history.leaderChanges(3 * MINUTE, 3, 10 * MINUTE);
    expect(history.leaderChanges(4 * MINUTE, 5, 10 * MINUTE)).toMatchObject({ increase: 4 });
  });

  it("forgets increases older than the window", () => {
    const history = new MemberHistory();
    history.leaderChanges(0, 1, 10 * MINUTE);
    history.leaderChanges(MINUTE, 6, 10 * MINUTE);
    for (let minute = 2; minute <= 11; minute++) history.leaderChanges(minute * MINUTE, 6, 10 * MINUTE);
    expect(history.leaderChanges(12 * MINUTE, 6, 10 * MINUTE)).toEqual({
      increase: 0,
      windowMs: 10 * MINUTE,
      coveredMs: 10 * MINUTE,
    });
  });

  it("counts from zero after a counter reset (member restarted)", () => {
    const history = new MemberHistory();
    history.leaderChanges(0, 7, 10 * MINUTE);
    expect(history.leaderChanges(MINUTE, 2, 10 * MINUTE)).toMatchObject({ increase: 2 });
  });

  it("stays bounded however many changes it sees", () => {
    const history = new MemberHistory();
    let result: ReturnType<MemberHistory["leaderChanges"]> = { unknown: "" };
    for (let index = 0; index < MAX_COUNTER_SAMPLES * 3; index++) {
      result = history.leaderChanges(index, index, 10 * MINUTE);
    }
    expect(result).toMatchObject({ increase: MAX_COUNTER_SAMPLES - 1 });
  });
});

describe("MemberHistory.latency", () => {
  it("is unknown on the first reading, then gives the p99 of what happened in between", () => {
    const history = new MemberHistory();
    expect(history.latency("wal", 0, histogram([10, 10, 10, 10]))).toEqual({ unknown: expect.any(String) });
    const window = history.latency("wal", 30_000, histogram([10, 10, 110, 110]));
    expect(window).toMatchObject({ operations: 100, windowMs: 30_000 });
    expect("p99Seconds" in window && window.p99Seconds).toBeCloseTo(0.995, 5);
  });

  it("reports no percentile when nothing happened, and unknown after a reset", () => {
    const history = new MemberHistory();
    history.latency("wal", 0, histogram([10, 10, 10, 10]));
    expect(history.latency("wal", 1000, histogram([10, 10, 10, 10]))).toEqual({
      p99Seconds: null,
      operations: 0,
      windowMs: 1000,
    });
    expect(history.latency("wal", 2000, histogram([1, 1, 1, 1]))).toEqual({ unknown: expect.any(String) });
    expect(history.latency("wal", 3000, histogram([2, 2, 2, 2]))).toMatchObject({ operations: 1 });
  });
});
