import { describe, expect, it } from "vitest";
import { parseExposition } from "../src/exposition.ts";
import { bucketQuantile, type Histogram, histogramDelta, histogramOf } from "../src/histogram.ts";

function histogram(counts: Record<string, number>): Histogram {
  const lines = Object.entries(counts).map(([le, count]) => `h_bucket{le="${le}"} ${count}`);
  const total = counts["+Inf"] ?? 0;
  const parsed = histogramOf(parseExposition(`${lines.join("\n")}\nh_sum 1.5\nh_count ${total}\n`), "h");
  if (!parsed) throw new Error("no histogram");
  return parsed;
}

describe("histogramOf", () => {
  it("reads buckets in bound order with +Inf last, count and sum", () => {
    const h = histogram({ "0.1": 2, "+Inf": 5, "0.01": 1 });
    expect(h.buckets.map((bucket) => bucket.le)).toEqual([0.01, 0.1, Number.POSITIVE_INFINITY]);
    expect(h.count).toBe(5);
    expect(h.sum).toBe(1.5);
  });

  it("is undefined without a +Inf bucket", () => {
    expect(histogramOf(parseExposition('h_bucket{le="1"} 3\n'), "h")).toBeUndefined();
    expect(histogramOf(parseExposition("other 1\n"), "h")).toBeUndefined();
  });
});

describe("bucketQuantile", () => {
  it("interpolates inside the bucket the rank falls in, like histogram_quantile", () => {
    // 100 observations: 50 <= 0.1, 90 <= 0.2, 100 <= 0.4. p99 rank 99 falls in (0.2, 0.4]: 9 of 10.
    const buckets = histogram({ "0.1": 50, "0.2": 90, "0.4": 100, "+Inf": 100 }).buckets;
    expect(bucketQuantile(0.99, buckets)).toBeCloseTo(0.38, 10);
    expect(bucketQuantile(0.5, buckets)).toBeCloseTo(0.1, 10);
    expect(bucketQuantile(0.25, buckets)).toBeCloseTo(0.05, 10);
  });

  it("answers the largest finite bound when the rank is in +Inf, and undefined with no data", () => {
    const buckets = histogram({ "0.1": 1, "1": 2, "+Inf": 10 }).buckets;
    expect(bucketQuantile(0.99, buckets)).toBe(1);
    expect(bucketQuantile(0.99, histogram({ "0.1": 0, "+Inf": 0 }).buckets)).toBeUndefined();
  });
});

describe("histogramDelta", () => {
  it("subtracts bucket by bucket", () => {
    const delta = histogramDelta(
      histogram({ "0.1": 5, "1": 8, "+Inf": 8 }),
      histogram({ "0.1": 6, "1": 20, "+Inf": 21 }),
    );
    expect(delta?.buckets.map((bucket) => bucket.count)).toEqual([1, 12, 13]);
    expect(delta?.count).toBe(13);
  });

  it("is undefined after a counter reset or a change of layout", () => {
    const before = histogram({ "0.1": 5, "1": 8, "+Inf": 8 });
    expect(histogramDelta(before, histogram({ "0.1": 1, "1": 1, "+Inf": 1 }))).toBeUndefined();
    expect(histogramDelta(before, histogram({ "0.5": 9, "+Inf": 9 }))).toBeUndefined();
  });
});
